import * as React from 'react';
import { Box, Button, Flex, Grid, IconButton, Typography } from '@strapi/design-system';
import { Plus, Trash } from '@strapi/icons';
import { NumberField, SelectField, TextField } from '../../components/FormField';
import { useT } from '../../utils/api';
import type { PointsSettings } from '../../../../common/settings';

/** The first error under `prefix` (`points.levels` finds `points.levels.2.points` too). */
const errorUnder = (errors: Record<string, string>, prefix: string) =>
  errors[prefix] ?? Object.entries(errors).find(([k]) => k.startsWith(`${prefix}.`))?.[1];

/**
 * Settings → Gamification → Points: points per event with their daily caps, the levels, and the
 * roles whose members never appear on a leaderboard. Saved with the page's Save button; the
 * server validates the whole (thresholds increasing from 0, known event names).
 */
export const PointsSection = ({
  value,
  onChange,
  events,
  errors,
  disabled,
}: {
  value: PointsSettings;
  onChange: (next: PointsSettings) => void;
  events: string[];
  errors: Record<string, string>;
  disabled: boolean;
}) => {
  const t = useT();
  const rules = Object.entries(value.perEvent);
  const unused = events.filter((e) => !(e in value.perEvent));
  const setRules = (next: Array<[string, PointsSettings['perEvent'][string]]>) =>
    onChange({ ...value, perEvent: Object.fromEntries(next) });
  const setLevel = (i: number, level: PointsSettings['levels'][number]) =>
    onChange({ ...value, levels: value.levels.map((l, j) => (j === i ? level : l)) });
  const [roles, setRoles] = React.useState(value.excludedRoles.join(', '));
  React.useEffect(() => setRoles(value.excludedRoles.join(', ')), [value.excludedRoles]);

  return (
    <Box
      id="points"
      background="neutral0"
      padding={6}
      marginTop={6}
      shadow="filterShadow"
      hasRadius
      data-testid="settings-points"
    >
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Typography variant="delta" tag="h2">
          {t('settings.points.title', 'Points and levels')}
        </Typography>
        <Typography variant="omega" textColor="neutral600">
          {t(
            'settings.points.subtitle',
            'Points each event gives (at most the daily cap per member and day), the levels they lead to, and who leaderboards leave out.'
          )}
        </Typography>
        <Typography variant="sigma" tag="h3">
          {t('settings.points.perEvent', 'Points per event')}
        </Typography>
        {rules.map(([event, rule], i) => (
          <Grid.Root key={event} gap={3} data-points-rule={event}>
            <Grid.Item col={5} s={12} direction="column" alignItems="stretch">
              <SelectField
                name={`points.perEvent.${event}`}
                label={t('settings.points.event', 'Event')}
                value={event}
                options={[event, ...unused].map((e) => ({ value: e, label: e }))}
                onChange={(next) =>
                  setRules(rules.map((r, j) => (j === i ? [next, r[1]] : r)) as typeof rules)
                }
              />
            </Grid.Item>
            <Grid.Item col={3} s={6} direction="column" alignItems="stretch">
              <NumberField
                name={`points.perEvent.${event}.points`}
                label={t('settings.points.points', 'Points')}
                error={errors[`points.perEvent.${event}.points`]}
                value={rule.points}
                disabled={disabled}
                onValueChange={(points) =>
                  setRules(
                    rules.map((r, j) => (j === i ? [event, { ...rule, points: points ?? 0 }] : r))
                  )
                }
              />
            </Grid.Item>
            <Grid.Item col={3} s={5} direction="column" alignItems="stretch">
              <NumberField
                name={`points.perEvent.${event}.dailyCap`}
                label={t('settings.points.dailyCap', 'Daily cap (empty: none)')}
                error={errors[`points.perEvent.${event}.dailyCap`]}
                value={rule.dailyCap}
                disabled={disabled}
                onValueChange={(dailyCap) => {
                  const { dailyCap: _, ...rest } = rule;
                  setRules(
                    rules.map((r, j) =>
                      j === i ? [event, dailyCap === undefined ? rest : { ...rest, dailyCap }] : r
                    )
                  );
                }}
              />
            </Grid.Item>
            <Grid.Item col={1} s={1} alignItems="flex-end">
              <IconButton
                label={t('settings.points.removeEvent', 'Remove {event}', { event })}
                disabled={disabled}
                onClick={() => setRules(rules.filter((_, j) => j !== i))}
              >
                <Trash />
              </IconButton>
            </Grid.Item>
          </Grid.Root>
        ))}
        {errorUnder(errors, 'points.perEvent') ? (
          <Typography textColor="danger600">{errorUnder(errors, 'points.perEvent')}</Typography>
        ) : null}
        <Box>
          <Button
            variant="secondary"
            startIcon={<Plus />}
            disabled={disabled || unused.length === 0}
            onClick={() => setRules([...rules, [unused[0], { points: 0 }]])}
          >
            {t('settings.points.addEvent', 'Add an event')}
          </Button>
        </Box>
        <Typography variant="sigma" tag="h3">
          {t('settings.points.levels', 'Levels')}
        </Typography>
        {value.levels.map((level, i) => (
          <Grid.Root key={i} gap={3} data-points-level={i + 1}>
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              <TextField
                name={`points.levels.${i}.name`}
                label={t('settings.points.levelName', 'Level {number}', { number: i + 1 })}
                error={errors[`points.levels.${i}.name`]}
                value={level.name}
                disabled={disabled}
                onChange={(name) => setLevel(i, { ...level, name })}
              />
            </Grid.Item>
            <Grid.Item col={5} s={11} direction="column" alignItems="stretch">
              <NumberField
                name={`points.levels.${i}.points`}
                label={t('settings.points.levelFrom', 'From (points)')}
                error={errors[`points.levels.${i}.points`]}
                value={level.points}
                disabled={disabled || i === 0}
                onValueChange={(points) => setLevel(i, { ...level, points: points ?? 0 })}
              />
            </Grid.Item>
            <Grid.Item col={1} s={1} alignItems="flex-end">
              <IconButton
                label={t('settings.points.removeLevel', 'Remove {name}', { name: level.name })}
                disabled={disabled || i === 0}
                onClick={() =>
                  onChange({ ...value, levels: value.levels.filter((_, j) => j !== i) })
                }
              >
                <Trash />
              </IconButton>
            </Grid.Item>
          </Grid.Root>
        ))}
        {errors['points.levels'] ? (
          <Typography textColor="danger600">{errors['points.levels']}</Typography>
        ) : null}
        <Box>
          <Button
            variant="secondary"
            startIcon={<Plus />}
            disabled={disabled || value.levels.length >= 50}
            onClick={() => {
              const last = value.levels[value.levels.length - 1];
              onChange({
                ...value,
                levels: [...value.levels, { name: '', points: (last?.points ?? 0) * 2 || 100 }],
              });
            }}
          >
            {t('settings.points.addLevel', 'Add a level')}
          </Button>
        </Box>
        <TextField
          name="points.excludedRoles"
          label={t('settings.points.excludedRoles', 'Roles left off the leaderboards')}
          hint={t(
            'settings.points.excludedRoles.hint',
            'Role types, separated by commas (e.g. staff). Their members still see their own rank.'
          )}
          error={errorUnder(errors, 'points.excludedRoles')}
          value={roles}
          disabled={disabled}
          onChange={(text) => {
            setRoles(text);
            onChange({
              ...value,
              excludedRoles: text
                .split(',')
                .map((r) => r.trim())
                .filter(Boolean),
            });
          }}
        />
      </Flex>
    </Box>
  );
};
