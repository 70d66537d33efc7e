import { useRef, useState } from 'preact/hooks';
import type { Ref } from 'preact';
import type { WidgetStrings } from '../strings.js';
import { LIMITS } from '../../protocol/chat.js';

interface Props {
  strings: Readonly<WidgetStrings>;
  inputRef: Ref<HTMLTextAreaElement>;
  onSubmit(text: string): void;
}

/** Enter sends, Shift+Enter starts a new line. */
export function Composer({ strings, inputRef, onSubmit }: Props) {
  const [text, setText] = useState('');
  const composing = useRef(false);
  const submit = (): void => {
    const value = text.trim();
    if (value === '') return;
    onSubmit(value);
    setText('');
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <label class="sr" for="qcw-input">
        {strings.inputLabel}
      </label>
      <textarea
        id="qcw-input"
        ref={inputRef}
        rows={1}
        value={text}
        maxLength={LIMITS.maxMessageChars}
        placeholder={strings.placeholder}
        onInput={(event) => setText((event.currentTarget as HTMLTextAreaElement).value)}
        onCompositionStart={() => (composing.current = true)}
        onCompositionEnd={() => (composing.current = false)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !composing.current && !event.isComposing) {
            event.preventDefault();
            submit();
          }
        }}
      />
      <button type="submit">{strings.send}</button>
    </form>
  );
}
