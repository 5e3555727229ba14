import { FormGroup, Label } from '@patternfly/react-core';
import type { ReactNode } from 'react';
import { useApi, type Api } from '../api-context.js';
import { FieldHelper } from './field-helper.js';
import { FIELD_IDS, helperId } from './field-ids.js';
import { ImageField, type ImageChoice } from './image-field.js';
import type { FieldBinding } from './use-deploy-form.js';

/** What the server's image policy allows, or that the chosen image is custom (not the default). */
function imageHint(image: string, info: Api['info']): ReactNode {
  const defaultImage = info['default-cluster-image'];
  if (info['custom-images'] === 'disabled') {
    return 'Custom images are disabled on this server; clusters run the default image.';
  }
  if (image !== '' && image !== defaultImage) {
    return (
      <span data-test="custom-image-hint">
        <Label color="purple" isCompact>
          custom image
        </Label>{' '}
        Every master and worker runs {image} instead of the default {defaultImage}.
      </span>
    );
  }
  if (info['custom-images'] === 'restricted') {
    return `Allowed images: ${info['allowed-images'].join(', ')}. Empty: the stored configuration's image or the default.`;
  }
  return "Empty: the stored configuration's image or the server default.";
}

/**
 * The Spark image, empty for the stored configuration's or the server default (the placeholder); read-only when
 * the server disables custom images.
 */
export function SparkImageField({
  form,
  errors,
  update,
  blur,
  choices,
}: FieldBinding & { choices: readonly ImageChoice[] | undefined }) {
  const { info } = useApi();
  return (
    <FormGroup label="Spark image" fieldId={FIELD_IDS.sparkImage}>
      <ImageField
        id={FIELD_IDS.sparkImage}
        label="Spark image"
        value={form.sparkImage}
        placeholder={info['default-cluster-image']}
        invalid={errors.sparkImage !== undefined}
        describedBy={helperId('sparkImage')}
        isDisabled={info['custom-images'] === 'disabled'}
        choices={choices}
        onChange={(value) => {
          update({ sparkImage: value }, 'sparkImage');
        }}
        onBlur={() => {
          blur('sparkImage');
        }}
      />
      <FieldHelper field="sparkImage" errors={errors} hint={imageHint(form.sparkImage, info)} />
    </FormGroup>
  );
}
