import { useEffect, useState } from 'react';
import { useApi } from '../api-context.js';
import type { ImageChoice } from './image-field.js';

/**
 * The images of the local image store, offered by the image field while the dialog is open (local driver);
 * undefined on other drivers, where the field is plain text.
 */
export function useLocalImages(isOpen: boolean): readonly ImageChoice[] | undefined {
  const { client, info } = useApi();
  const [images, setImages] = useState<readonly ImageChoice[] | undefined>(undefined);

  useEffect(() => {
    if (!isOpen || info.driver !== 'local') return;
    let cancelled = false;
    client.listImages().then(
      (list) => {
        if (!cancelled) {
          setImages(
            list.map((image) => ({
              ref: image.ref,
              description: [
                image.sparkVersion === null ? undefined : `Spark ${image.sparkVersion}`,
                image.isDefault ? 'default' : undefined,
                image.base === null ? undefined : `built on ${image.base}`,
              ]
                .filter((part) => part !== undefined)
                .join(' · '),
            })),
          );
        }
      },
      () => {
        // Without the list the field stays a plain text field; the server still checks the image.
        if (!cancelled) setImages([]);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [isOpen, client, info.driver]);

  return info.driver === 'local' ? (images ?? []) : undefined;
}
