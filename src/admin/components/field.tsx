/**
 * A labelled text input or textarea with its hint and error tied to it by
 * aria-describedby, and aria-invalid while it has an error.
 */
import type { Ref } from 'preact';

export interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  multiline?: boolean;
  rows?: number;
  type?: 'text' | 'url' | 'password';
  placeholder?: string;
  autoComplete?: string;
  monospace?: boolean;
  inputRef?: Ref<HTMLInputElement | HTMLTextAreaElement> | undefined;
}

export function TextField(props: TextFieldProps) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = props.error ? `${props.id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  const common = {
    id: props.id,
    name: props.id,
    value: props.value,
    placeholder: props.placeholder,
    'aria-invalid': props.error ? ('true' as const) : undefined,
    'aria-describedby': describedBy,
    class: props.monospace ? 'input mono' : 'input',
    spellcheck: false,
    autoComplete: props.autoComplete ?? 'off',
    onInput: (event: Event) => props.onInput((event.currentTarget as HTMLInputElement | HTMLTextAreaElement).value),
  };
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={props.id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={props.rows ?? 4} ref={props.inputRef as Ref<HTMLTextAreaElement>} />
      ) : (
        <input {...common} type={props.type ?? 'text'} ref={props.inputRef as Ref<HTMLInputElement>} />
      )}
      {props.error ? (
        <p id={errorId} class="field-error">
          {props.error}
        </p>
      ) : null}
      {props.hint ? (
        <p id={hintId} class="hint">
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}
