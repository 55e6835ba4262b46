export interface BuildRequest {
  paths: string[];
  strict: boolean;
  pua: boolean;
  nowSeconds?: number;
}
