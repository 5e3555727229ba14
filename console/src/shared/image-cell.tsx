import { Flex, FlexItem, Label, Truncate } from '@patternfly/react-core';

/** Longer references are shortened in the middle in tables (registry and tag stay visible). */
const TRUNCATE_AFTER = 48;

/** An image reference with a "custom" badge when it is not the server default. */
export function ImageCell({
  image,
  customImage,
  title,
  truncate = false,
}: {
  image: string;
  customImage: boolean;
  title?: string;
  truncate?: boolean;
}) {
  return (
    <Flex
      spaceItems={{ default: 'spaceItemsSm' }}
      flexWrap={{ default: 'nowrap' }}
      alignItems={{ default: 'alignItemsCenter' }}
    >
      <FlexItem>
        <span title={title ?? image} data-test="cluster-image" data-image={image}>
          {truncate && image.length > TRUNCATE_AFTER ? <Truncate content={image} position="middle" /> : image}
        </span>
      </FlexItem>
      {customImage && (
        <FlexItem>
          <Label color="purple" isCompact data-test="custom-badge">
            custom
          </Label>
        </FlexItem>
      )}
    </Flex>
  );
}
