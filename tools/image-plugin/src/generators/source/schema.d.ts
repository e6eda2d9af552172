export interface SourceGeneratorSchema {
  name: string;
  url: string;
  ref: string;
  zuulProject?: string;
  debianPackage?: string;
  skipFormat?: boolean;
}
