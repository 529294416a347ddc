/**
 * ANSI styling for terminal output. With colour off every style is the identity, so renderers
 * can style unconditionally.
 */

export type Style = (text: string) => string;

export interface Palette {
  bold: Style;
  dim: Style;
  red: Style;
  green: Style;
  yellow: Style;
  cyan: Style;
  magenta: Style;
}

function sgr(open: number, close: number): Style {
  return (text) => (text === "" ? text : `\u001b[${open}m${text}\u001b[${close}m`);
}

const identity: Style = (text) => text;

export function palette(color: boolean): Palette {
  if (!color) {
    return {
      bold: identity,
      dim: identity,
      red: identity,
      green: identity,
      yellow: identity,
      cyan: identity,
      magenta: identity,
    };
  }
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
    magenta: sgr(35, 39),
  };
}
