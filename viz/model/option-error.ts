/**
 * The error the library raises for an option that does not fit (bad value, a regex matching
 * nothing, a metric the profile lacks, an unknown thread). A RangeError, so existing
 * `instanceof RangeError` handlers keep working; the CLI maps only this one to exit 2, so
 * V8's own RangeErrors (a bug: "Invalid array length", stack overflow) stay failures.
 * Its message names options as the API does (`nodeThres`, `thread`); `renamed()` gives it
 * with the names a caller uses instead (the CLI's flags), from the template's `{option}` slots.
 */
export class OptionError extends RangeError {
  /** The message with a `{name}` slot wherever an option's name appears. */
  readonly template: string

  constructor(template: string) {
    super(fillNames(template, {}))
    this.name = 'OptionError'
    this.template = template
  }

  /** The message with each option named as `names` says (unlisted ones keep the API's name). */
  renamed(names: Readonly<Record<string, string>>): string {
    return fillNames(this.template, names)
  }
}

/** Text from the input (a regex, a thread name) for an OptionError template: its braces are not slots. */
export function literal(text: string): string { return text.replace(/[{}]/g, (c) => c + c) }

/** `{nodeThres}` → names.nodeThres ?? 'nodeThres'; `{{` and `}}` → a brace. */
function fillNames(template: string, names: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{|\}\}|\{([a-zA-Z]+)\}/g, (m, name: string | undefined) => (name === undefined ? m[0] : Object.hasOwn(names, name) ? names[name] : name))
}
