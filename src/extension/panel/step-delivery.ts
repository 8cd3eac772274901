/**
 * Step commands (Step Forward / Back from the palette or the keyboard) on their way to the panel's webview. VS Code
 * drops messages to a hidden webview (its page is gone until shown: retainContextWhenHidden is off), and a webview
 * shown again — as right after reveal() — reloads its page: a command that comes before the page said `ready` would be
 * lost. It is kept (the last one) and sent on that `ready`.
 */
import type { StepAction } from '../../protocol';

export class StepDelivery {
  private later: StepAction | undefined;
  /** The page said `ready` since the panel was last hidden. */
  private listening = false;

  constructor(private readonly send: (action: StepAction) => void) {}

  step(action: StepAction, visible: boolean): void {
    if (visible && this.listening) this.send(action);
    else this.later = action;
  }

  ready(): void {
    this.listening = true;
    const action = this.later;
    this.later = undefined;
    if (action) this.send(action);
  }

  hidden(): void {
    this.listening = false;
  }
}
