export interface ImageGeneratorSchema {
  name: string;
  parent?: string;
  sources?: string;
  optionalSources?: string;
  packages?: string;
  skipFormat?: boolean;
}
