import { useRef, useState } from 'react';
import {
  Button,
  MenuToggle,
  Select,
  SelectList,
  SelectOption,
  TextInput,
  TextInputGroup,
  TextInputGroupMain,
  TextInputGroupUtilities,
  type MenuToggleElement,
} from '@patternfly/react-core';
import { TimesIcon } from '@patternfly/react-icons';

export interface ImageChoice {
  readonly ref: string;
  readonly description: string;
}

interface ImageFieldProps {
  readonly id: string;
  /** The accessible name (the typeahead input would otherwise be called "Type to filter"). */
  readonly label: string;
  readonly value: string;
  readonly placeholder: string;
  readonly invalid: boolean;
  readonly describedBy: string;
  readonly isDisabled: boolean;
  /** Local images to pick from; undefined gives a plain text field (Kubernetes: any image reference). */
  readonly choices: readonly ImageChoice[] | undefined;
  readonly onChange: (value: string) => void;
  readonly onBlur: () => void;
}

/**
 * The Spark image: free text, and on the local driver a typeahead over the local image store that still takes
 * any typed reference (the server tells when the store lacks it).
 */
export function ImageField(props: ImageFieldProps) {
  const { id, label, value, placeholder, invalid, describedBy, isDisabled, choices, onChange, onBlur } =
    props;
  const [isOpen, setOpen] = useState(false);
  const [focused, setFocused] = useState<number | undefined>(undefined);
  const inputRef = useRef<HTMLInputElement>(null);

  if (choices === undefined) {
    return (
      <TextInput
        id={id}
        data-test="image-input"
        value={value}
        placeholder={placeholder}
        validated={invalid ? 'error' : 'default'}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        isDisabled={isDisabled}
        onChange={(_event, text) => {
          onChange(text);
        }}
        onBlur={onBlur}
      />
    );
  }

  const typed = value.trim().toLowerCase();
  const shown = choices.filter(
    (choice) =>
      typed === '' || choice.ref.toLowerCase().includes(typed) || choices.some((c) => c.ref === value),
  );
  const listId = `${id}-listbox`;
  const optionId = (index: number) => `${id}-option-${index}`;

  const close = () => {
    setOpen(false);
    setFocused(undefined);
  };
  const choose = (ref: string) => {
    onChange(ref);
    close();
    inputRef.current?.focus();
  };
  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (shown.length === 0) return;
      setOpen(true);
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setFocused((current) =>
        current === undefined
          ? step > 0
            ? 0
            : shown.length - 1
          : (current + step + shown.length) % shown.length,
      );
    } else if (event.key === 'Enter' && isOpen && focused !== undefined) {
      event.preventDefault();
      const choice = shown[focused];
      if (choice) choose(choice.ref);
    } else if (event.key === 'Escape' && isOpen) {
      // Escape closes the menu only; the dialog around checks defaultPrevented and stays open.
      event.preventDefault();
      close();
    } else if (event.key === 'Tab') {
      close();
    }
  };

  const toggle = (toggleRef: React.Ref<MenuToggleElement>) => (
    <MenuToggle
      ref={toggleRef}
      variant="typeahead"
      aria-label="Show local images"
      onClick={() => {
        setOpen(!isOpen);
        inputRef.current?.focus();
      }}
      isExpanded={isOpen}
      isDisabled={isDisabled}
      isFullWidth
      status={invalid ? 'danger' : undefined}
      data-test="image-toggle"
    >
      <TextInputGroup isPlain>
        <TextInputGroupMain
          inputId={id}
          aria-label={label}
          value={value}
          placeholder={placeholder}
          autoComplete="off"
          innerRef={inputRef}
          role="combobox"
          isExpanded={isOpen}
          aria-controls={listId}
          {...(focused === undefined ? {} : { 'aria-activedescendant': optionId(focused) })}
          inputProps={{
            'data-test': 'image-input',
            'aria-describedby': describedBy,
            'aria-invalid': invalid,
          }}
          onClick={() => {
            setOpen(!isOpen);
          }}
          onChange={(_event, text) => {
            onChange(text);
            setOpen(true);
            setFocused(undefined);
          }}
          onKeyDown={onKeyDown}
          onBlur={onBlur}
        />
        {value !== '' && (
          <TextInputGroupUtilities>
            <Button
              variant="plain"
              aria-label="Clear the image"
              icon={<TimesIcon />}
              onClick={() => {
                onChange('');
                inputRef.current?.focus();
              }}
            />
          </TextInputGroupUtilities>
        )}
      </TextInputGroup>
    </MenuToggle>
  );

  return (
    <Select
      isOpen={isOpen && shown.length > 0}
      selected={value}
      onSelect={(_event, selected) => {
        if (typeof selected === 'string') choose(selected);
      }}
      onOpenChange={(open) => {
        if (!open) close();
      }}
      toggle={toggle}
      shouldFocusFirstItemOnOpen={false}
      shouldFocusToggleOnSelect={false}
      data-test="image-select"
    >
      <SelectList id={listId} aria-label="Local images">
        {shown.map((choice, index) => (
          <SelectOption
            key={choice.ref}
            id={optionId(index)}
            value={choice.ref}
            description={choice.description}
            isFocused={focused === index}
            data-test={`image-option-${choice.ref}`}
          >
            {choice.ref}
          </SelectOption>
        ))}
      </SelectList>
    </Select>
  );
}
