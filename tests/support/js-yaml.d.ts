// js-yaml ships no types and @types/js-yaml is not installed; it is a dependency of electron-builder
// (app-builder-lib, builder-util), used here only to read electron-builder.yml the way it does.
declare module 'js-yaml' {
  export function load(text: string): unknown
}
