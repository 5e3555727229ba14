import { ExpandableSection } from '@patternfly/react-core';
import { useApi } from '../api-context.js';
import { ConfigNameField } from './config-name-field.js';
import { ExposeUiField } from './expose-ui-field.js';
import type { ImageChoice } from './image-field.js';
import { MetricsField } from './metrics-field.js';
import { PodSettingsSections, ResourcesSection } from './pod-settings-sections.js';
import { SparkImageField } from './spark-image-field.js';
import type { FieldBinding } from './use-deploy-form.js';

interface AdvancedSectionProps {
  readonly binding: FieldBinding;
  readonly choices: readonly ImageChoice[] | undefined;
  readonly isExpanded: boolean;
  readonly onToggle: (expanded: boolean) => void;
}

/**
 * "Advanced configuration", collapsed by default: the image, the stored configuration, web UI, metrics, the
 * resources; with the Kubernetes driver also the Spark configuration sets (ConfigMaps) and the other pod settings,
 * which the local driver refuses (it runs processes, not pods, and takes Spark settings from an image's conf).
 */
export function AdvancedSection({ binding, choices, isExpanded, onToggle }: AdvancedSectionProps) {
  const { info } = useApi();
  return (
    <ExpandableSection
      toggleText="Advanced configuration"
      isExpanded={isExpanded}
      onToggle={(_event, expanded) => {
        onToggle(expanded);
      }}
      data-test="advanced-toggle"
      toggleId="deploy-advanced-toggle"
      contentId="deploy-advanced-content"
    >
      <div className="oshinko-advanced">
        <SparkImageField {...binding} choices={choices} />
        <ConfigNameField
          {...binding}
          field="storedConfig"
          label="Stored configuration"
          data-test="stored-config-input"
          hint="A stored cluster configuration to start from; explicit fields win."
        />
        {info.driver === 'kubernetes' && (
          <>
            <ConfigNameField
              {...binding}
              field="sparkMasterConfig"
              label="Master Spark configuration"
              data-test="master-config-input"
              hint="Name of a ConfigMap with Spark config files for the master."
            />
            <ConfigNameField
              {...binding}
              field="sparkWorkerConfig"
              label="Worker Spark configuration"
              data-test="worker-config-input"
              hint="Name of a ConfigMap with Spark config files for the workers."
            />
          </>
        )}
        <ExposeUiField {...binding} />
        <MetricsField {...binding} />
        <ResourcesSection {...binding} driver={info.driver} />
        {info.driver === 'kubernetes' && <PodSettingsSections {...binding} />}
      </div>
    </ExpandableSection>
  );
}
