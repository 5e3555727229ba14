// Placeholder until the local driver lands: installs nothing.
