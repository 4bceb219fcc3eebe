import * as React from 'react';
import {
  Box,
  Button,
  Flex,
  Grid,
  IconButton,
  MultiSelect,
  MultiSelectOption,
  Typography,
} from '@strapi/design-system';
import { Plus, Trash } from '@strapi/icons';
import { CRITERIA_TYPES } from '../../../engine/criteria';
import { useT } from '../utils/api';
import { FormField, NumberField, SelectField } from './FormField';

/** A criteria node as edited: loose, so a half-built rule can be shown before it is valid. */
export type Node = { type: string; [key: string]: any };

export interface BuilderContext {
  events: string[];
  profileFields: string[];
  badges: Array<{ slug: string; name: string }>;
  categories: Array<{ slug: string; name: string }>;
  errors: Record<string, string>;
}

export const defaultNode = (
  type: string,
  ctx: Pick<BuilderContext, 'events' | 'profileFields'>
): Node => {
  switch (type) {
    case 'count':
      return { type, event: ctx.events[0] ?? 'lesson.completed', threshold: 1 };
    case 'profile':
      return { type, fields: ctx.profileFields.slice(0, 1) };
    case 'streak':
      return { type, days: 7 };
    case 'badges':
      return { type, count: 3 };
    case 'points':
      return { type, threshold: 100 };
    case 'all':
    case 'any':
      return { type, of: [defaultNode('count', ctx)] };
    default:
      return { type: 'manual' };
  }
};

const omit = (node: Node, key: string): Node => {
  const { [key]: _drop, ...rest } = node;
  return rest as Node;
};

/** The typed form for one criteria node; groups nest. `path` is how the server names it. */
export const CriteriaBuilder = ({
  value,
  onChange,
  ctx,
  path = 'criteria',
  depth = 0,
}: {
  value: Node;
  onChange: (next: Node) => void;
  ctx: BuilderContext;
  path?: string;
  depth?: number;
}) => {
  const t = useT();
  const err = (key: string) =>
    ctx.errors[`${path}.${key}`] ??
    Object.entries(ctx.errors).find(([k]) => k.startsWith(`${path}.${key}.`))?.[1];
  const set = (key: string, v: unknown) =>
    onChange(v === undefined || v === null || v === '' ? omit(value, key) : { ...value, [key]: v });
  const kindLabel: Record<string, string> = {
    count: t('criteria.kind.count', 'Count of an event'),
    profile: t('criteria.kind.profile', 'Profile completed'),
    streak: t('criteria.kind.streak', 'Learning streak'),
    badges: t('criteria.kind.badges', 'Other badges earned'),
    points: t('criteria.kind.points', 'Points reached'),
    all: t('criteria.kind.all', 'All of these'),
    any: t('criteria.kind.any', 'Any of these'),
    manual: t('criteria.kind.manual', 'Awarded by hand'),
  };
  const kinds =
    depth >= 4 ? CRITERIA_TYPES.filter((k) => k !== 'all' && k !== 'any') : CRITERIA_TYPES;
  const suffix = depth > 0 ? ` (${path.replace(/^criteria\.?/, '')})` : '';

  const number = (key: string, label: string, hint?: string, optional = false) => (
    <NumberField
      name={`${path}.${key}`}
      label={label + suffix}
      hint={hint}
      error={err(key)}
      value={value[key] ?? undefined}
      onValueChange={(v) => set(key, v === undefined && !optional ? 0 : v)}
    />
  );

  const col = (children: React.ReactNode, size = 6) => (
    <Grid.Item col={size} s={12} direction="column" alignItems="stretch">
      {children}
    </Grid.Item>
  );

  let fields: React.ReactNode = null;
  switch (value.type) {
    case 'count':
      fields = (
        <>
          {col(
            <SelectField
              name={`${path}.event`}
              label={t('criteria.event', 'Event') + suffix}
              error={err('event')}
              value={Array.isArray(value.event) ? value.event[0] : value.event}
              onChange={(v) => set('event', v)}
              options={ctx.events.map((e) => ({ value: e, label: e }))}
            />
          )}
          {col(number('threshold', t('criteria.threshold', 'How many times')))}
          {col(
            <SelectField
              name={`${path}.distinct`}
              label={t('criteria.distinct', 'Count only distinct') + suffix}
              error={err('distinct')}
              value={value.distinct ?? 'none'}
              onChange={(v) => set('distinct', v === 'none' ? undefined : v)}
              options={[
                { value: 'none', label: t('criteria.distinct.none', 'Every occurrence') },
                {
                  value: 'subject',
                  label: t('criteria.distinct.subject', 'Different subjects (e.g. lessons)'),
                },
                { value: 'actor', label: t('criteria.distinct.actor', 'Different people') },
                { value: 'day', label: t('criteria.distinct.day', 'Different days') },
              ]}
            />
          )}
          {col(
            number(
              'withinDays',
              t('criteria.withinDays', 'Within days'),
              t('criteria.withinDays.hint', 'Empty: any time.'),
              true
            )
          )}
        </>
      );
      break;
    case 'profile':
      fields = col(
        <FormField
          name={`${path}.fields`}
          label={t('criteria.fields', 'Profile fields filled in') + suffix}
          error={err('fields')}
        >
          <MultiSelect
            withTags
            value={value.fields ?? []}
            onChange={(v: string[]) => set('fields', v)}
          >
            {ctx.profileFields.map((f) => (
              <MultiSelectOption key={f} value={f}>
                {f}
              </MultiSelectOption>
            ))}
          </MultiSelect>
        </FormField>,
        12
      );
      break;
    case 'streak':
      fields = col(number('days', t('criteria.days', 'Days in a row')));
      break;
    case 'points':
      fields = col(number('threshold', t('criteria.points', 'Points')));
      break;
    case 'badges':
      fields = (
        <>
          {col(
            number(
              'count',
              t('criteria.badgeCount', 'How many badges'),
              t('criteria.badgeCount.hint', 'Empty: every badge in scope.'),
              true
            )
          )}
          {col(
            <SelectField
              name={`${path}.category`}
              label={t('criteria.category', 'From category') + suffix}
              error={err('category')}
              value={value.category ?? 'any'}
              onChange={(v) => set('category', v === 'any' ? undefined : v)}
              options={[
                { value: 'any', label: t('criteria.category.any', 'Any category') },
                ...ctx.categories.map((c) => ({ value: c.slug, label: c.name })),
              ]}
            />
          )}
          {col(
            <FormField
              name={`${path}.badges`}
              label={t('criteria.badges', 'Among these badges') + suffix}
              error={err('badges')}
            >
              <MultiSelect
                withTags
                value={value.badges ?? []}
                onChange={(v: string[]) => set('badges', v.length ? v : undefined)}
              >
                {ctx.badges.map((b) => (
                  <MultiSelectOption key={b.slug} value={b.slug}>
                    {b.name}
                  </MultiSelectOption>
                ))}
              </MultiSelect>
            </FormField>,
            12
          )}
        </>
      );
      break;
    case 'all':
    case 'any': {
      const of: Node[] = value.of ?? [];
      fields = col(
        <Flex direction="column" alignItems="stretch" gap={3}>
          {err('of') && !ctx.errors[`${path}.of.0`] ? (
            <Typography variant="pi" textColor="danger600">
              {err('of')}
            </Typography>
          ) : null}
          {of.map((child, i) => (
            <Box key={i} padding={3} hasRadius borderColor="neutral200" background="neutral100">
              <Flex alignItems="flex-start" gap={2}>
                <Box flex="1">
                  <CriteriaBuilder
                    value={child}
                    ctx={ctx}
                    path={`${path}.of.${i}`}
                    depth={depth + 1}
                    onChange={(next) =>
                      set(
                        'of',
                        of.map((c, j) => (j === i ? next : c))
                      )
                    }
                  />
                </Box>
                <IconButton
                  label={t('criteria.remove', 'Remove condition {n}', { n: i + 1 })}
                  onClick={() =>
                    set(
                      'of',
                      of.filter((_, j) => j !== i)
                    )
                  }
                >
                  <Trash />
                </IconButton>
              </Flex>
            </Box>
          ))}
          <Box>
            <Button
              variant="secondary"
              startIcon={<Plus />}
              onClick={() => set('of', [...of, defaultNode('count', ctx)])}
            >
              {t('criteria.add', 'Add a condition')}
            </Button>
          </Box>
        </Flex>,
        12
      );
      break;
    }
    default:
      fields = col(
        <Typography variant="pi" textColor="neutral600">
          {t('criteria.manual.hint', 'Only an admin awards this badge, from the Members page.')}
        </Typography>,
        12
      );
  }

  return (
    <Grid.Root gap={4}>
      {col(
        <SelectField
          name={`${path}.type`}
          label={t('criteria.kind', 'Kind of rule') + suffix}
          error={ctx.errors[`${path}.type`]}
          value={value.type}
          onChange={(v) => onChange(defaultNode(v, ctx))}
          options={kinds.map((k) => ({ value: k, label: kindLabel[k] }))}
        />,
        12
      )}
      {fields}
    </Grid.Root>
  );
};
