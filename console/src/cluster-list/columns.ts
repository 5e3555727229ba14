/** The list's columns: the table's header, each cell's label in the stacked (narrow) layout. */
export const COLUMNS = {
  name: 'Name',
  status: 'Status',
  masterUrl: 'Master URL',
  workers: 'Workers',
  image: 'Image',
  webUi: 'Web UI',
  age: 'Age',
} as const;
