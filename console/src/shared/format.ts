export const IMAGE_SOURCE_TEXT = {
  request: 'set in the deploy request',
  'stored-config': 'from the stored configuration',
  default: 'server default',
} as const;

/** The Spark web UI of a cluster: its route when it is exposed outside, else the in-cluster URL. */
export function webUiUrl(cluster: { masterWebRoute?: string | undefined; masterWebUrl: string }): string {
  const route = cluster.masterWebRoute;
  if (route !== undefined && route !== '') return /^https?:\/\//.test(route) ? route : `http://${route}`;
  return cluster.masterWebUrl;
}

/** Quotes a word for a POSIX shell when it needs it (a path with spaces, say). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * A ready-to-run spark-submit command for a cluster. With the Spark home of the cluster's local image, it runs
 * that image's own client: the same Spark version, jars, Python files and configuration as the cluster.
 */
export function sparkSubmitLine(masterUrl: string, sparkHome?: string): string {
  const command = sparkHome === undefined ? 'spark-submit' : shellWord(`${sparkHome}/bin/spark-submit`);
  return `${command} --master ${masterUrl} --deploy-mode client my_app.py`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
