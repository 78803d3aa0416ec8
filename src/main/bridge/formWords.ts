/** The bridge's sentences name the CLI's flags; in the app the same advice names the form's fields. */
const FIELDS: ReadonlyArray<[RegExp, string]> = [
  [/--backend-url/g, 'the server URL'],
  [/--backend-key-file/g, 'the API key'],
  [/--backend-model/g, 'the model'],
  [/--max-context/g, 'Max context'],
]

export function inFormWords(sentence: string): string {
  return FIELDS.reduce((text, [flag, field]) => text.replace(flag, field), sentence)
}
