export declare const PACKAGES: readonly string[];
export interface PackedPackage {
  name: string;
  version: string;
  tarball: string;
  bytes: number;
  unpackedBytes: number;
  files: number;
  dependencies: string[];
}
export declare function packAll(destination: string): PackedPackage[];
