import { formatVersions } from '../../../src/client/format-versions.js';
import type { ClusterModel } from '../../../src/client/oshinko-client.js';
import { IMAGE_SOURCE_TEXT } from '../shared/format.js';
import { ImageCell } from '../shared/image-cell.js';
import { Term } from './term.js';

function imageOrigin(cluster: ClusterModel): string {
  if (cluster.imageSource === 'stored-config' && cluster.config.name !== undefined) {
    return `from the stored configuration ${cluster.config.name}`;
  }
  return IMAGE_SOURCE_TEXT[cluster.imageSource];
}

/**
 * The image the cluster runs, its custom badge, where it came from (the request, a stored configuration, the
 * default), and the versions it carries once its check passed.
 */
export function ImageTerms({ cluster }: { cluster: ClusterModel }) {
  const versions = formatVersions(cluster);
  return (
    <>
      <Term term="Image" test="details-image">
        <ImageCell image={cluster.image} customImage={cluster.customImage} />
      </Term>
      <Term term="Image origin" test="details-image-source">
        {imageOrigin(cluster)}
      </Term>
      {versions !== undefined && (
        <Term term="Spark and Python" test="details-versions">
          {versions}
        </Term>
      )}
    </>
  );
}
