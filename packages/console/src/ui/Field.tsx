// Labelled form inputs that show the server's message for their field (problem+json errors).
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { ApiError } from '../api.ts';
import { t } from '../i18n/index.ts';

interface Common {
  label: string;
  /** the API's field name, to show its error next to the input */
  field?: string;
  error?: Error | null;
  hint?: string;
}

function Wrap(props: Common & { id: string; required?: boolean; children: ReactNode }) {
  const msg =
    props.field && props.error instanceof ApiError
      ? props.error.fieldError(props.field)
      : undefined;
  return (
    <div className={`field${msg ? ' invalid' : ''}`}>
      <label htmlFor={props.id}>
        {props.label}
        {props.required ? <span className="muted"> {t('form.required')}</span> : null}
      </label>
      {props.children}
      {props.hint ? (
        <small id={`${props.id}-hint`} className="muted">
          {props.hint}
        </small>
      ) : null}
      {msg ? (
        <small id={`${props.id}-err`} className="error-text">
          {props.field}: {msg}
        </small>
      ) : null}
    </div>
  );
}

export function TextField(props: Common & InputHTMLAttributes<HTMLInputElement>) {
  const { label, field, error, hint, ...input } = props;
  const id = useId();
  const msg = field && error instanceof ApiError ? error.fieldError(field) : undefined;
  return (
    <Wrap {...{ label, field, error, hint, id }} required={input.required}>
      <input
        id={id}
        name={field}
        aria-invalid={msg ? true : undefined}
        aria-describedby={
          [hint ? `${id}-hint` : '', msg ? `${id}-err` : ''].join(' ').trim() || undefined
        }
        {...input}
      />
    </Wrap>
  );
}

export function SelectField(
  props: Common &
    SelectHTMLAttributes<HTMLSelectElement> & { options: { value: string; label: string }[] },
) {
  const { label, field, error, hint, options, ...select } = props;
  const id = useId();
  return (
    <Wrap {...{ label, field, error, hint, id }} required={select.required}>
      <select id={id} name={field} {...select}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Wrap>
  );
}
