import { Flex, FlexItem, Label, Truncate } from '@patternfly/react-core';

/** An image reference, shortened in the middle when long, with a "custom" badge when it is not the default. */
export function ImageCell({
  image,
  customImage,
  title,
}: {
  image: string;
  customImage: boolean;
  title?: string;
}) {
  return (
    <Flex
      spaceItems={{ default: 'spaceItemsSm' }}
      flexWrap={{ default: 'nowrap' }}
      alignItems={{ default: 'alignItemsCenter' }}
    >
      <FlexItem>
        <span title={title} data-test="cluster-image">
          <Truncate content={image} position="middle" />
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
