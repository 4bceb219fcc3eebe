import { Th, Thead, Tr, Typography, VisuallyHidden } from '@strapi/design-system';

/** A column title; a `hidden` one is read by screen readers only (drag handles, artwork, actions). */
export interface Column {
  label: string;
  hidden?: boolean;
}

/** The header row of a design-system table. */
export const TableHead = ({ columns }: { columns: Column[] }) => (
  <Thead>
    <Tr>
      {columns.map((column) => (
        <Th key={column.label}>
          {column.hidden ? (
            <VisuallyHidden>{column.label}</VisuallyHidden>
          ) : (
            <Typography variant="sigma">{column.label}</Typography>
          )}
        </Th>
      ))}
    </Tr>
  </Thead>
);
