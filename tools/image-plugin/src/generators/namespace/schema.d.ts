export interface NamespaceGeneratorSchema {
  name: string;
  parent: string;
  base?: string;
  mayBuildOn?: string;
  packages?: string;
  description?: string;
  skipFormat?: boolean;
}
