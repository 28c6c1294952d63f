// hls.js ships its "light" build (no subtitles, alternate audio, DRM or CMCD, which recordings
// never use) without its own type declarations; its API is that of the full build.
declare module 'hls.js/light' {
  export * from 'hls.js';
  export { default } from 'hls.js';
}
