import * as React from 'react';
import { Box, Flex, Grid, Typography, VisuallyHidden } from '@strapi/design-system';
import { Layouts, Page } from '@strapi/strapi/admin';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useTheme } from 'styled-components';
import type { AdminInsights, AdminProgressDistribution } from '../../../../common/admin-api';
import { SelectField } from '../../components/FormField';
import { useLoad, useT } from '../../utils/api';

type Colors = Record<string, string>;

/** Series colours from the design system's theme, so light and dark both read well. */
const useChartColors = () => {
  const { colors } = useTheme() as unknown as { colors: Colors };
  return {
    series: [
      colors.primary600,
      colors.success500,
      colors.warning500,
      colors.danger500,
      colors.secondary500,
      colors.alternative500,
      colors.neutral500,
    ],
    text: colors.neutral800,
    muted: colors.neutral600,
    grid: colors.neutral200,
    surface: colors.neutral0,
    cursor: colors.neutral150,
  };
};

/** A chart with its heading, a description for screen readers and its data as a table. */
const ChartCard = ({
  id,
  title,
  summary,
  table,
  children,
  control,
}: {
  id: string;
  title: string;
  summary: string;
  table: { head: string[]; rows: Array<Array<string | number>> };
  children: React.ReactElement;
  control?: React.ReactNode;
}) => (
  <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius data-testid={id}>
    <Flex direction="column" alignItems="stretch" gap={3}>
      <Typography variant="delta" tag="h2" id={`${id}-title`}>
        {title}
      </Typography>
      {control}
      <Typography variant="pi" textColor="neutral600" id={`${id}-summary`}>
        {summary}
      </Typography>
      <div
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-summary`}
        style={{ width: '100%', height: 260 }}
      >
        <ResponsiveContainer width="100%" height="100%">
          {children}
        </ResponsiveContainer>
      </div>
      <VisuallyHidden>
        <table data-testid={`${id}-data`}>
          <caption>{title}</caption>
          <thead>
            <tr>
              {table.head.map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) => (
                  <td key={j}>{c}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </Flex>
  </Box>
);

/**
 * Achievements → Insights: achievements earned per week by category, the most and least
 * earned badges, how far members are toward a chosen badge, and active members per day.
 */
const InsightsPage = () => {
  const t = useT();
  const c = useChartColors();
  const { data, error } = useLoad<AdminInsights>('/insights?weeks=12&days=30');
  const [badge, setBadge] = React.useState('');
  React.useEffect(() => {
    if (!badge && data?.leastEarned[0]) setBadge(data.leastEarned[0].documentId);
  }, [data, badge]);
  const progress = useLoad<AdminProgressDistribution>(
    badge ? `/insights/progress/${encodeURIComponent(badge)}` : null
  );

  if (error) return <Page.Error />;
  if (!data) return <Page.Loading />;

  const axis = { stroke: c.muted, tick: { fill: c.text, fontSize: 12 } };
  const tooltip = (
    <Tooltip
      key="tooltip"
      contentStyle={{ background: c.surface, borderColor: c.grid, color: c.text }}
      labelStyle={{ color: c.text }}
      cursor={{ fill: c.cursor }}
    />
  );
  const membersBar = (dataKey: string, fill: string) => (
    <Bar
      dataKey={dataKey}
      name={t('insights.members', 'Members')}
      fill={fill}
      isAnimationActive={false}
    />
  );
  /** Grid, axes and tooltip of a chart of counts by label (recharts reads them as children). */
  const columns = (xTicks: { interval?: number; fontSize?: number } = {}) => [
    <CartesianGrid key="grid" stroke={c.grid} vertical={false} />,
    <XAxis key="x" dataKey="label" {...axis} {...xTicks} />,
    <YAxis key="y" allowDecimals={false} {...axis} />,
    tooltip,
  ];
  const categoryName = (slug: string, name: string) =>
    slug === 'none' ? t('insights.noCategory', 'No category') : name;

  const { categories, weeks } = data.earnedPerWeek;
  const weekRows = weeks.map((w) => ({ label: w.label, ...w.counts }));
  const totalEarned = weeks.reduce((a, w) => a + w.total, 0);
  const rankedRows = [
    ...data.mostEarned.map((b) => ({ ...b, kind: 'most' })),
    ...data.leastEarned
      .filter((b) => !data.mostEarned.some((m) => m.documentId === b.documentId))
      .map((b) => ({ ...b, kind: 'least' })),
  ];
  const activeMax = Math.max(0, ...data.activePerDay.map((d) => d.members));
  const dist = progress.data;
  const distRows = (dist?.buckets ?? []).map((b) => ({
    label: `${b.from}–${b.to} %`,
    members: b.members,
  }));

  return (
    <Layouts.Root>
      <Page.Title>{t('insights.title', 'Insights')}</Page.Title>
      <Page.Main>
        <Layouts.Header
          title={t('insights.title', 'Insights')}
          subtitle={t(
            'insights.subtitle',
            'What members earn and how active they are, in the site timezone ({timezone}).',
            { timezone: data.timezone }
          )}
        />
        <Layouts.Content>
          <Grid.Root gap={6}>
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              <ChartCard
                id="insights-earned"
                title={t('insights.earned.title', 'Achievements earned per week')}
                summary={t(
                  'insights.earned.summary',
                  '{total} achievements earned over the last {weeks} weeks, by category.',
                  { total: totalEarned, weeks: weeks.length }
                )}
                table={{
                  head: [
                    t('insights.week', 'Week'),
                    ...categories.map((k) => categoryName(k.slug, k.name)),
                    t('insights.total', 'Total'),
                  ],
                  rows: weeks.map((w) => [
                    w.label,
                    ...categories.map((k) => w.counts[k.slug] ?? 0),
                    w.total,
                  ]),
                }}
              >
                <BarChart data={weekRows}>
                  {columns()}
                  <Legend wrapperStyle={{ color: c.text }} />
                  {categories.map((k, i) => (
                    <Bar
                      key={k.slug}
                      dataKey={k.slug}
                      name={categoryName(k.slug, k.name)}
                      stackId="earned"
                      fill={c.series[i % c.series.length]}
                      isAnimationActive={false}
                    />
                  ))}
                </BarChart>
              </ChartCard>
            </Grid.Item>
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              <ChartCard
                id="insights-ranked"
                title={t('insights.ranked.title', 'Most and least earned badges')}
                summary={
                  data.mostEarned[0]
                    ? t(
                        'insights.ranked.summary',
                        'Most earned: {most} ({mostCount} members). Least earned: {least} ({leastCount}).',
                        {
                          most: data.mostEarned[0].name,
                          mostCount: data.mostEarned[0].earnedCount,
                          least: data.leastEarned[0]?.name ?? '—',
                          leastCount: data.leastEarned[0]?.earnedCount ?? 0,
                        }
                      )
                    : t('insights.ranked.none', 'No badges yet.')
                }
                table={{
                  head: [
                    t('insights.badge', 'Badge'),
                    t('insights.members', 'Members'),
                    t('insights.rarity', 'Rarity (%)'),
                  ],
                  rows: rankedRows.map((b) => [b.name, b.earnedCount, b.rarity]),
                }}
              >
                <BarChart data={rankedRows} layout="vertical" margin={{ left: 24 }}>
                  <CartesianGrid stroke={c.grid} horizontal={false} />
                  <XAxis type="number" allowDecimals={false} {...axis} />
                  <YAxis type="category" dataKey="name" width={150} {...axis} />
                  {tooltip}
                  {membersBar('earnedCount', c.series[0])}
                </BarChart>
              </ChartCard>
            </Grid.Item>
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              <ChartCard
                id="insights-progress"
                title={t('insights.progress.title', 'How far members are toward a badge')}
                control={
                  <SelectField
                    name="badge"
                    label={t('insights.progress.badge', 'Badge')}
                    value={badge}
                    onChange={setBadge}
                    options={data.badges.map((b) => ({ value: b.documentId, label: b.name }))}
                  />
                }
                summary={
                  dist
                    ? t(
                        'insights.progress.summary',
                        '{badge}: {total} members have progress; {done} are at 90 % or more.',
                        {
                          badge: dist.badge.name,
                          total: dist.total,
                          done: dist.buckets[dist.buckets.length - 1]?.members ?? 0,
                        }
                      )
                    : t('insights.progress.pick', 'Pick a badge.')
                }
                table={{
                  head: [
                    t('insights.progress.bucket', 'Progress'),
                    t('insights.members', 'Members'),
                  ],
                  rows: distRows.map((r) => [r.label, r.members]),
                }}
              >
                <BarChart data={distRows}>
                  {columns({ interval: 0, fontSize: 10 })}
                  {membersBar('members', c.series[1])}
                </BarChart>
              </ChartCard>
            </Grid.Item>
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              <ChartCard
                id="insights-active"
                title={t('insights.active.title', 'Active members per day')}
                summary={t(
                  'insights.active.summary',
                  'Over the last {days} days, at most {max} members were active on one day.',
                  { days: data.activePerDay.length, max: activeMax }
                )}
                table={{
                  head: [t('insights.day', 'Day'), t('insights.members', 'Members')],
                  rows: data.activePerDay.map((d) => [d.label, d.members]),
                }}
              >
                <LineChart data={data.activePerDay}>
                  {columns()}
                  <Line
                    type="linear"
                    dataKey="members"
                    name={t('insights.members', 'Members')}
                    stroke={c.series[0]}
                    strokeWidth={2}
                    dot={false}
                    isAnimationActive={false}
                  />
                </LineChart>
              </ChartCard>
            </Grid.Item>
          </Grid.Root>
        </Layouts.Content>
      </Page.Main>
    </Layouts.Root>
  );
};

export default InsightsPage;
