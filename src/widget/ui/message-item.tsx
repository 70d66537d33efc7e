import type { ConversationItem } from '../state.js';
import type { WidgetStrings } from '../strings.js';
import { RichText } from './rich-text.js';
import type { UiActions } from './actions.js';

interface Props {
  item: ConversationItem;
  strings: Readonly<WidgetStrings>;
  actions: UiActions;
}

export function MessageItem({ item, strings, actions }: Props) {
  switch (item.kind) {
    case 'visitor':
      return (
        <>
          <div class="msg visitor">
            <span class="sr">{strings.you}: </span>
            {item.text}
          </div>
          {item.status === 'failed' && (
            <div class="failed">
              <span>{item.note ?? strings.sendFailed}</span>
              <button type="button" onClick={() => actions.retry(item.id)}>
                {strings.retry}
              </button>
            </div>
          )}
        </>
      );
    case 'assistant':
      return (
        <div class="msg assistant">
          <span class="sr">{strings.assistant}: </span>
          {item.text === '' && item.streaming ? <span class="typing">{strings.typing}</span> : <RichText text={item.text} />}
        </div>
      );
    case 'refusal':
      return (
        <div class="msg refusal">
          <span class="sr">{strings.assistant}: </span>
          <p>
            {strings.reasons[item.reason]}
            {item.signIn === 'unavailable' && ` ${strings.signInUnavailable}`}
            {item.signIn === 'pending' && ` ${strings.signInPending}`}
          </p>
          {(item.signIn === 'offer' || item.signIn === 'pending') && (
            <button type="button" onClick={() => actions.signIn(item.id)}>
              {strings.signIn}
            </button>
          )}
          {item.signIn === 'pending' && (
            <button type="button" onClick={actions.cancelSignIn}>
              {strings.signInCancel}
            </button>
          )}
        </div>
      );
    case 'notice':
      return <div class="msg notice">{item.text}</div>;
  }
}
