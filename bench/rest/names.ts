/** Names shared by the REST benchmark and its fake Kubernetes API process. */
export const NAMESPACE = 'spark-bench';

export function seededName(index: number): string {
  return `seeded-${String(index).padStart(5, '0')}`;
}
