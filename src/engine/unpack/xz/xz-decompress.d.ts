declare module 'xz-decompress' {
  const xz: {
    XzReadableStream: new (compressedStream: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
  };
  export default xz;
}
