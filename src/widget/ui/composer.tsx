import { Component, type RefObject } from 'preact';
import type { WidgetStrings } from '../strings.js';
import { LIMITS } from '../../protocol/chat.js';

interface Props {
  strings: Readonly<WidgetStrings>;
  inputRef: RefObject<HTMLTextAreaElement>;
  onSubmit(text: string): void;
}

/** Enter sends, Shift+Enter starts a new line (and Enter while composing with an IME does neither). */
export class Composer extends Component<Props> {
  #submit = (event?: Event): void => {
    event?.preventDefault();
    const input = this.props.inputRef.current;
    const text = input?.value.trim() ?? '';
    if (!input || text === '') return;
    this.props.onSubmit(text);
    input.value = '';
  };

  #onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) this.#submit(event);
  };

  render({ strings, inputRef }: Props) {
    return (
      <form onSubmit={this.#submit}>
        <label class="sr" for="qcw-input">
          {strings.inputLabel}
        </label>
        <textarea
          id="qcw-input"
          ref={inputRef}
          rows={1}
          maxLength={LIMITS.maxMessageChars}
          placeholder={strings.placeholder}
          onKeyDown={this.#onKeyDown}
        />
        <button type="submit">{strings.send}</button>
      </form>
    );
  }
}
