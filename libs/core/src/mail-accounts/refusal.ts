/**
 * A refusal as every protocol can phrase it: the SMTP basic and enhanced
 * codes, a stable machine reason, and a sentence for the person reading the
 * bounce. The same shape as the relay-permission answer in DESIGN.md.
 */
export interface Refusal {
  code: number;
  enhancedCode: string;
  reason: string;
  message: string;
}

export function refusal(code: number, enhancedCode: string, reason: string, message: string): Refusal {
  return { code, enhancedCode, reason, message };
}
