import * as React from 'react';
import {
  Field,
  NumberInput,
  SingleSelect,
  SingleSelectOption,
  Textarea,
  TextInput,
} from '@strapi/design-system';

/** What every labelled field of the admin pages shares. `name` is how the server names it. */
export interface FieldFrame {
  name: string;
  label?: string;
  hint?: string;
  error?: string;
  required?: boolean;
}

/**
 * A design-system field: its label, the control, then its hint and its error. The hint and the
 * error render nothing when they are not set, so every field can carry both slots.
 */
export const FormField = ({
  name,
  label,
  hint,
  error,
  required,
  children,
}: FieldFrame & { children: React.ReactNode }) => (
  <Field.Root name={name} error={error} hint={hint} required={required}>
    {label !== undefined ? <Field.Label>{label}</Field.Label> : null}
    {children}
    <Field.Hint />
    <Field.Error />
  </Field.Root>
);

/** A labelled text input, or a textarea when `multiline`. */
export const TextField = ({
  value,
  onChange,
  disabled,
  multiline = false,
  ...frame
}: FieldFrame & {
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  multiline?: boolean;
}) => (
  <FormField {...frame}>
    {multiline ? (
      <Textarea
        value={value}
        disabled={disabled}
        onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => onChange(e.target.value)}
      />
    ) : (
      <TextInput
        value={value}
        disabled={disabled}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(e.target.value)}
      />
    )}
  </FormField>
);

/** A labelled number input; an emptied input hands back `undefined`. */
export const NumberField = ({
  value,
  onValueChange,
  disabled,
  ...frame
}: FieldFrame & {
  value: number | undefined;
  onValueChange: (value: number | undefined) => void;
  disabled?: boolean;
}) => (
  <FormField {...frame}>
    <NumberInput value={value} disabled={disabled} onValueChange={onValueChange} />
  </FormField>
);

export interface SelectOption {
  value: string;
  label: string;
}

/** A labelled single select over `options`. */
export const SelectField = ({
  value,
  onChange,
  options,
  ...frame
}: FieldFrame & {
  value: string;
  onChange: (value: string) => void;
  options: SelectOption[];
}) => (
  <FormField {...frame}>
    <SingleSelect value={value} onChange={(v: string | number) => onChange(String(v))}>
      {options.map((option) => (
        <SingleSelectOption key={option.value} value={option.value}>
          {option.label}
        </SingleSelectOption>
      ))}
    </SingleSelect>
  </FormField>
);
