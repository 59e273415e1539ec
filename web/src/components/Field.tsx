import { useId, type ReactNode } from "react";

type Common = { label: string; hint?: string; required?: boolean };

export function TextField({
  label, hint, required, value, onChange, type = "text", autoComplete, name,
}: Common & {
  value: string;
  onChange: (value: string) => void;
  type?: string;
  autoComplete?: string;
  name?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} type={type} value={value} required={required}
        autoComplete={autoComplete} aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.target.value)} />
      {hint && <p id={`${id}-hint`} className="hint">{hint}</p>}
    </div>
  );
}

export function TextArea({
  label, hint, value, onChange, rows = 3, required,
}: Common & { value: string; onChange: (value: string) => void; rows?: number }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={rows} value={value} required={required} aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.target.value)} />
      {hint && <p id={`${id}-hint`} className="hint">{hint}</p>}
    </div>
  );
}

export function SelectField({
  label, value, onChange, children, required,
}: Common & { value: string; onChange: (value: string) => void; children: ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} required={required} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </div>
  );
}

/** A group of checkboxes for a set of codes, labelled by their translations. */
export function CheckGroup({
  legend, options, selected, onChange,
}: {
  legend: string;
  options: { value: string; label: string }[];
  selected: string[];
  onChange: (selected: string[]) => void;
}) {
  return (
    <fieldset className="checks">
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="check">
          <input type="checkbox" checked={selected.includes(o.value)}
            onChange={(e) => onChange(e.target.checked
              ? [...selected, o.value]
              : selected.filter((s) => s !== o.value))} />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

/** A group of radio buttons: one of a set of values (none picked until the person picks). */
export function RadioGroup({
  legend, options, selected, onChange, required,
}: {
  legend: string;
  options: { value: string; label: string }[];
  selected: string | undefined;
  onChange: (selected: string) => void;
  required?: boolean;
}) {
  const name = useId();
  return (
    <fieldset className="checks">
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="check">
          <input type="radio" name={name} value={o.value} checked={selected === o.value}
            required={required} onChange={() => onChange(o.value)} />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}
