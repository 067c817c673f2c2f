// A support ticket's messages, oldest first: who wrote each (in words) and when.
import { formatInstant } from '../i18n/index.ts';

export interface ThreadMessage {
  id: string;
  author_kind: string;
  body: string;
  created_at: string;
}

export function MessageThread(props: {
  label: string;
  messages: ThreadMessage[];
  author: (kind: string) => string;
}) {
  return (
    <ol className="thread" aria-label={props.label}>
      {props.messages.map((m) => (
        <li key={m.id} className={`card msg-${m.author_kind}`}>
          <p className="muted">
            {props.author(m.author_kind)} — {formatInstant(m.created_at)}
          </p>
          <p className="pre">{m.body}</p>
        </li>
      ))}
    </ol>
  );
}

/** A state as a badge whose text says it (never colour alone). */
export function StateBadge(props: { value: string; text?: string; testId?: string }) {
  return (
    <span className={`badge state-${props.value}`} data-testid={props.testId}>
      {props.text ?? props.value}
    </span>
  );
}
