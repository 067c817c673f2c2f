// Confirmation of a destructive action: a modal <dialog> (focus stays inside, Escape cancels)
// that names what will be lost, and optionally asks to type a word (e.g. the instance slug).
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { t } from '../i18n/index.ts';

export interface ConfirmProps {
  open: boolean;
  title: string;
  /** What the action destroys, in words, one entry per item ("instance shop and its 3 users"). */
  lost: string[];
  confirmLabel: string;
  irreversible?: boolean;
  /** When set, the confirm button stays disabled until this exact text is typed. */
  typeToConfirm?: string;
  children?: ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog(props: ConfirmProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      setTyped('');
      d.showModal();
    } else if (!props.open && d.open) d.close();
  }, [props.open]);
  const ready = !props.typeToConfirm || typed === props.typeToConfirm;
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-desc`}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id={`${id}-title`}>{props.title}</h2>
      <div id={`${id}-desc`}>
        <p>{t('confirm.lost')}</p>
        <ul className="lost">
          {props.lost.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
        {props.irreversible ? (
          <p>
            <strong>{t('confirm.irreversible')}</strong>
          </p>
        ) : null}
        {props.children}
      </div>
      {props.typeToConfirm ? (
        <label className="field">
          <span>{t('confirm.typeToConfirm', { word: props.typeToConfirm })}</span>
          <input
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </label>
      ) : null}
      <div className="dialog-actions">
        <button type="button" onClick={props.onCancel} autoFocus>
          {t('confirm.cancel')}
        </button>
        <button
          type="button"
          className="danger"
          disabled={!ready}
          onClick={() => ready && props.onConfirm()}
        >
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
