// js-yaml ships no types and @types/js-yaml is not installed; it is a dependency of electron-builder
// (app-builder-lib, builder-util), used here to read electron-builder.yml and update feeds the way it does.
declare module 'js-yaml' {
  export function load(text: string): unknown
  export function dump(value: unknown, options?: { lineWidth?: number }): string
}
