export interface ZuulGeneratorSchema {
  perChain?: boolean;
  file?: string;
}
