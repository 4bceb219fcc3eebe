import * as React from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { BackButton, Layouts, Page, useNotification, useStrapiApp } from '@strapi/strapi/admin';
import { Box, Button, Checkbox, Flex, Grid, Textarea, Typography } from '@strapi/design-system';
import { Check, Play } from '@strapi/icons';
import type { AdminBadge, AdminCategory, AdminMeta } from '../../../../common/admin-api';
import { BADGE_TIERS } from '../../../../common/constants';
import type { Criteria } from '../../../../engine/criteria';
import { describeCriteria } from '../../../../engine/sentence';
import { CriteriaBuilder, defaultNode, type Node } from '../../components/CriteriaBuilder';
import { FormField, NumberField, SelectField, TextField } from '../../components/FormField';
import { Artwork, Tier, tierLabel } from '../../components/Tier';
import { errorMessage, fieldErrors, useApi, useLoad, useT } from '../../utils/api';

interface Form {
  name: string;
  description: string;
  category: string | null;
  tier: string;
  points: number;
  secret: boolean;
  repeatable: boolean;
  maxRepeats: number | null;
  autoRevoke: boolean;
  enabled: boolean;
  criteria: Node;
  image: { id: number; url: string } | null;
}

/** What Strapi's media library dialog hands back for each chosen asset. */
interface MediaAsset {
  id: number;
  url: string;
}

type MediaLibraryDialog = React.ComponentType<{
  allowedTypes: string[];
  onClose: () => void;
  onSelectAssets: (assets: MediaAsset[]) => void;
}>;

const fromBadge = (b: AdminBadge): Form => ({
  name: b.name,
  description: b.description ?? '',
  category: b.category?.documentId ?? null,
  tier: b.tier,
  points: b.points,
  secret: b.secret,
  repeatable: b.repeatable,
  maxRepeats: b.maxRepeats,
  autoRevoke: b.autoRevoke,
  enabled: b.enabled,
  criteria: b.criteria as Node,
  image: b.image ? { id: b.image.id, url: b.image.url } : null,
});

const BadgeEditorPage = () => {
  const t = useT();
  const api = useApi();
  const navigate = useNavigate();
  const { id = 'new' } = useParams();
  const creating = id === 'new';
  const { toggleNotification } = useNotification();
  const meta = useLoad<AdminMeta>('/meta');
  const badges = useLoad<AdminBadge[]>('/badges');
  const categories = useLoad<AdminCategory[]>('/categories');
  // The upload plugin registers its media library dialog for other plugins to use.
  const MediaLibrary = useStrapiApp(
    'BadgeEditor',
    (state) => state.components['media-library'] as MediaLibraryDialog | undefined
  );
  const [pickingArtwork, setPickingArtwork] = React.useState(false);
  const [form, setForm] = React.useState<Form | null>(null);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [saving, setSaving] = React.useState(false);
  const [showJson, setShowJson] = React.useState(false);
  const [json, setJson] = React.useState('');
  const [dryRun, setDryRun] = React.useState<{ members: number; evaluated: number } | null>(null);
  const [dryRunning, setDryRunning] = React.useState(false);

  React.useEffect(() => {
    if (form || !meta.data || !badges.data) return;
    if (creating) {
      setForm({
        name: '',
        description: '',
        category: null,
        tier: 'bronze',
        points: 10,
        secret: false,
        repeatable: false,
        maxRepeats: null,
        autoRevoke: false,
        enabled: true,
        criteria: defaultNode('count', meta.data),
        image: null,
      });
    } else {
      const badge = badges.data.find((b) => b.documentId === id);
      if (badge) setForm(fromBadge(badge));
    }
  }, [form, meta.data, badges.data, creating, id]);

  const sentence = React.useMemo(() => {
    if (!form || !badges.data || !categories.data) return '';
    try {
      return describeCriteria(form.criteria as Criteria, {
        badgeNames: Object.fromEntries(badges.data.map((b) => [b.slug, b.name])),
        categoryNames: Object.fromEntries(categories.data.map((c) => [c.slug, c.name])),
      });
    } catch {
      return t('editor.sentence.incomplete', 'The rule is not complete yet.');
    }
  }, [form, badges.data, categories.data, t]);

  if (meta.error || badges.error || categories.error) return <Page.Error />;
  if (!meta.data || !badges.data || !categories.data) return <Page.Loading />;
  if (!form) {
    return creating ? <Page.Loading /> : <Page.NoData />;
  }

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm({ ...form, [key]: value });
    setDryRun(null);
  };
  const err = (key: string) => errors[key];
  const criteriaErrors = Object.entries(errors).filter(([k]) => k.startsWith('criteria'));
  const category = categories.data.find((c) => c.documentId === form.category);

  const body = () => ({
    name: form.name,
    description: form.description || null,
    category: form.category,
    tier: form.tier,
    points: form.points,
    secret: form.secret,
    repeatable: form.repeatable,
    maxRepeats: form.repeatable ? form.maxRepeats : null,
    autoRevoke: form.autoRevoke,
    enabled: form.enabled,
    criteria: form.criteria,
    image: form.image?.id ?? null,
  });

  const onSave = async (event: React.FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    try {
      const saved = creating
        ? await api.post<AdminBadge>('/badges', body())
        : await api.put<AdminBadge>(`/badges/${id}`, body());
      toggleNotification({
        type: 'success',
        message: t('editor.saved', '{name} saved', { name: saved.name }),
      });
      navigate(creating ? `../badges/${saved.documentId}` : '../badges', { replace: creating });
      if (creating) setForm(fromBadge(saved));
    } catch (error) {
      setErrors(fieldErrors(error));
      toggleNotification({
        type: 'danger',
        message: t('editor.error', 'The badge could not be saved: {message}', {
          message: errorMessage(error),
        }),
      });
    } finally {
      setSaving(false);
    }
  };

  const onDryRun = async () => {
    setDryRunning(true);
    setErrors({});
    try {
      setDryRun(
        await api.post<{ members: number; evaluated: number }>('/badges/dry-run', {
          criteria: form.criteria,
          category: category?.slug ?? null,
          points: form.points,
        })
      );
    } catch (error) {
      setErrors(fieldErrors(error));
    } finally {
      setDryRunning(false);
    }
  };

  const ctx = {
    events: meta.data.events,
    profileFields: meta.data.profileFields,
    badges: badges.data
      .filter((b) => b.documentId !== id)
      .map((b) => ({ slug: b.slug, name: b.name })),
    categories: categories.data.map((c) => ({ slug: c.slug, name: c.name })),
    errors,
  };

  const text = (key: 'name' | 'description', label: string, long = false) => (
    <TextField
      name={key}
      label={label}
      error={err(key)}
      required={key === 'name'}
      multiline={long}
      value={form[key]}
      onChange={(v) => set(key, v)}
    />
  );

  const check = (
    key: 'secret' | 'repeatable' | 'autoRevoke' | 'enabled',
    label: string,
    hint: string
  ) => (
    <FormField name={key} error={err(key)} hint={hint}>
      <Checkbox
        checked={form[key]}
        onCheckedChange={(checked: boolean | 'indeterminate') => set(key, checked === true)}
      >
        {label}
      </Checkbox>
    </FormField>
  );

  const card = (title: string, children: React.ReactNode) => (
    <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Typography variant="delta" tag="h2">
          {title}
        </Typography>
        {children}
      </Flex>
    </Box>
  );

  const preview = (locked: boolean) => (
    <Box padding={4} hasRadius background={locked ? 'neutral100' : 'primary100'} flex="1">
      <Flex direction="column" gap={2} alignItems="center">
        <Typography variant="sigma" textColor="neutral600">
          {locked ? t('editor.preview.locked', 'Locked') : t('editor.preview.unlocked', 'Unlocked')}
        </Typography>
        <Artwork
          url={form.image?.url}
          alt={form.name || t('editor.untitled', 'New badge')}
          size={48}
          locked={locked}
        />
        <Typography fontWeight="bold">
          {form.secret && locked ? '???' : form.name || t('editor.untitled', 'New badge')}
        </Typography>
        <Tier tier={form.tier} />
        <Typography variant="pi" textColor="neutral600" textAlign="center">
          {form.secret && locked ? t('editor.preview.secret', 'A secret badge') : sentence}
        </Typography>
      </Flex>
    </Box>
  );

  return (
    <Layouts.Root>
      <Page.Title>
        {creating ? t('editor.create', 'Create a badge') : t('editor.edit', 'Edit a badge')}
      </Page.Title>
      <Page.Main>
        <form onSubmit={onSave} noValidate>
          <Layouts.Header
            navigationAction={<BackButton fallback="../badges" />}
            title={creating ? t('editor.create', 'Create a badge') : form.name}
            subtitle={sentence}
            primaryAction={
              <Button type="submit" startIcon={<Check />} loading={saving}>
                {t('settings.save', 'Save')}
              </Button>
            }
            secondaryAction={
              <Button tag={Link} to="../badges" variant="tertiary">
                {t('common.cancel', 'Cancel')}
              </Button>
            }
          />
          <Layouts.Content>
            <Flex direction="column" alignItems="stretch" gap={6}>
              {card(
                t('editor.details', 'Details'),
                <Grid.Root gap={5}>
                  <Grid.Item col={12} direction="column" alignItems="stretch">
                    <FormField
                      name="image"
                      label={t('editor.artwork', 'Artwork')}
                      error={err('image')}
                    >
                      <Flex gap={4} alignItems="center">
                        <Artwork
                          url={form.image?.url}
                          alt={form.name || t('editor.untitled', 'New badge')}
                          size={64}
                        />
                        <Button
                          type="button"
                          variant="secondary"
                          disabled={!MediaLibrary}
                          onClick={() => setPickingArtwork(true)}
                        >
                          {form.image
                            ? t('editor.artwork.change', 'Change artwork')
                            : t('editor.artwork.choose', 'Choose from the media library')}
                        </Button>
                        {form.image && (
                          <Button
                            type="button"
                            variant="tertiary"
                            onClick={() => set('image', null)}
                          >
                            {t('editor.artwork.remove', 'Remove')}
                          </Button>
                        )}
                      </Flex>
                    </FormField>
                    {pickingArtwork && MediaLibrary && (
                      <MediaLibrary
                        allowedTypes={['images']}
                        onClose={() => setPickingArtwork(false)}
                        onSelectAssets={(assets) => {
                          const [asset] = assets;
                          if (asset) set('image', { id: asset.id, url: asset.url });
                          setPickingArtwork(false);
                        }}
                      />
                    )}
                  </Grid.Item>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    {text('name', t('editor.name', 'Name'))}
                  </Grid.Item>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <SelectField
                      name="category"
                      label={t('editor.category', 'Category')}
                      error={err('category')}
                      value={form.category ?? 'none'}
                      onChange={(v) => set('category', v === 'none' ? null : v)}
                      options={[
                        { value: 'none', label: t('editor.category.none', 'No category') },
                        ...categories.data!.map((c) => ({ value: c.documentId, label: c.name })),
                      ]}
                    />
                  </Grid.Item>
                  <Grid.Item col={12} direction="column" alignItems="stretch">
                    {text('description', t('editor.description', 'Description'), true)}
                  </Grid.Item>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <SelectField
                      name="tier"
                      label={t('editor.tier', 'Tier')}
                      error={err('tier')}
                      value={form.tier}
                      onChange={(v) => set('tier', v)}
                      options={BADGE_TIERS.map((tier) => ({
                        value: tier,
                        label: tierLabel(t, tier),
                      }))}
                    />
                  </Grid.Item>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <NumberField
                      name="points"
                      label={t('editor.points', 'Points')}
                      error={err('points')}
                      value={form.points}
                      onValueChange={(v) => set('points', v ?? 0)}
                    />
                  </Grid.Item>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    {check(
                      'enabled',
                      t('editor.enabled', 'Enabled'),
                      t('editor.enabled.hint', 'A switched-off badge awards nothing.')
                    )}
                    {check(
                      'secret',
                      t('editor.secret', 'Secret'),
                      t('editor.secret.hint', 'Hidden until a member earns it.')
                    )}
                    {check(
                      'autoRevoke',
                      t('editor.autoRevoke', 'Revoke automatically'),
                      t('editor.autoRevoke.hint', 'Taken back when the rule stops holding.')
                    )}
                  </Grid.Item>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    {check(
                      'repeatable',
                      t('editor.repeatable', 'Repeatable'),
                      t('editor.repeatable.hint', 'Can be earned more than once.')
                    )}
                    {form.repeatable ? (
                      <NumberField
                        name="maxRepeats"
                        label={t('editor.maxRepeats', 'At most (times)')}
                        error={err('maxRepeats')}
                        value={form.maxRepeats ?? undefined}
                        onValueChange={(v) => set('maxRepeats', v ?? null)}
                      />
                    ) : null}
                  </Grid.Item>
                </Grid.Root>
              )}
              {card(
                t('editor.criteria', 'What earns it'),
                <>
                  <Box padding={3} hasRadius background="primary100">
                    <Typography data-testid="criteria-sentence" fontWeight="semiBold">
                      {sentence}
                    </Typography>
                  </Box>
                  {showJson ? (
                    <FormField
                      name="criteria-json"
                      label={t('editor.json', 'Criteria (JSON)')}
                      hint={t('editor.json.hint', 'Applied as soon as it is valid JSON.')}
                    >
                      <Textarea
                        value={json}
                        onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => {
                          setJson(e.target.value);
                          try {
                            const parsed = JSON.parse(e.target.value);
                            if (parsed && typeof parsed === 'object') set('criteria', parsed);
                          } catch {
                            /* keep typing */
                          }
                        }}
                        style={{ fontFamily: 'monospace', minHeight: 200 }}
                      />
                    </FormField>
                  ) : (
                    <CriteriaBuilder
                      value={form.criteria}
                      ctx={ctx}
                      onChange={(next) => set('criteria', next)}
                    />
                  )}
                  {criteriaErrors.length ? (
                    <Box padding={3} hasRadius background="danger100" role="alert">
                      {criteriaErrors.map(([k, m]) => (
                        <Typography key={k} tag="p" textColor="danger700">
                          {m}
                        </Typography>
                      ))}
                    </Box>
                  ) : null}
                  <Flex gap={2}>
                    <Button
                      variant="tertiary"
                      onClick={() => {
                        setJson(JSON.stringify(form.criteria, null, 2));
                        setShowJson(!showJson);
                      }}
                    >
                      {showJson
                        ? t('editor.builder', 'Show the builder')
                        : t('editor.showJson', 'Show JSON')}
                    </Button>
                    <Button
                      variant="secondary"
                      startIcon={<Play />}
                      onClick={onDryRun}
                      loading={dryRunning}
                    >
                      {t('editor.dryRun', 'Dry run')}
                    </Button>
                    {dryRun ? (
                      <Typography data-testid="dry-run" fontWeight="bold">
                        {t(
                          'editor.dryRun.result',
                          '{members, plural, =0 {No member} one {# member} other {# members}} would earn this now ({evaluated} checked).',
                          dryRun
                        )}
                      </Typography>
                    ) : null}
                  </Flex>
                </>
              )}
              {card(
                t('editor.preview', 'Preview'),
                <Flex gap={4} alignItems="stretch">
                  {preview(true)}
                  {preview(false)}
                </Flex>
              )}
            </Flex>
          </Layouts.Content>
        </form>
      </Page.Main>
    </Layouts.Root>
  );
};

export default BadgeEditorPage;
