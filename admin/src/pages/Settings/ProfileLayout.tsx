import * as React from 'react';
import { Layouts, Page } from '@strapi/strapi/admin';
import {
  Box,
  Button,
  Flex,
  IconButton,
  Modal,
  NumberInput,
  Toggle,
  Typography,
} from '@strapi/design-system';
import { Crown, Pencil, Star } from '@strapi/icons';
import { CARD_POSITIONS, type CardPosition } from '../../../../common/constants';
import type { Settings } from '../../../../common/settings';
import { FormField, SelectField } from '../../components/FormField';
import { protectedPage } from '../../components/ProtectedPage';
import { useSettingsForm } from '../../hooks/useSettings';
import { useT } from '../../utils/api';
import { PERMISSIONS } from '../../utils/permissions';

type Card = Settings['card'];
const SAMPLE_COLORS = ['warning500', 'neutral500', 'secondary500', 'primary500'];

/** The achievements card as a member would see it: a few sample badges. */
const CardPreview = ({ card, compact = false }: { card: Card; compact?: boolean }) => {
  const t = useT();
  const shown = Math.min(card.badgesToShow, compact ? 6 : 20);
  return (
    <Box
      background={card.enabled ? 'primary100' : 'neutral150'}
      borderColor={card.enabled ? 'primary200' : 'neutral200'}
      hasRadius
      padding={3}
      style={{ opacity: card.enabled ? 1 : 0.6 }}
    >
      <Flex direction="column" alignItems="stretch" gap={2}>
        <Typography variant="omega" fontWeight="bold">
          <Crown fill="warning500" /> {t('layout.card.title', 'Achievements')}
        </Typography>
        {card.enabled ? (
          <Flex gap={1} wrap="wrap">
            {Array.from({ length: shown }, (_, i) => (
              <Box key={i} background="neutral0" hasRadius padding={1} aria-hidden>
                {i % 2 ? (
                  <Star fill={SAMPLE_COLORS[i % 4]} />
                ) : (
                  <Crown fill={SAMPLE_COLORS[i % 4]} />
                )}
              </Box>
            ))}
            {card.badgesToShow > shown ? (
              <Typography variant="pi" textColor="neutral600">
                +{card.badgesToShow - shown}
              </Typography>
            ) : null}
          </Flex>
        ) : (
          <Typography variant="pi" textColor="neutral600">
            {t('layout.card.hidden', 'Hidden from profiles')}
          </Typography>
        )}
      </Flex>
    </Box>
  );
};

/** The profile's zones, with the card drawn in its zone. */
const ProfileZones = ({ card, action }: { card: Card; action?: React.ReactNode }) => {
  const t = useT();
  const zone = (position: CardPosition, label: string, minHeight: number) => (
    <Box
      padding={3}
      hasRadius
      borderColor="neutral300"
      borderStyle="dashed"
      borderWidth="1px"
      background="neutral100"
      style={{ minHeight }}
      data-zone={position}
    >
      <Flex direction="column" alignItems="stretch" gap={2}>
        <Typography variant="sigma" textColor="neutral600">
          {label}
        </Typography>
        {card.position === position ? (
          <Flex gap={2} alignItems="flex-start">
            <Box flex="1">
              <CardPreview card={card} compact={position !== 'main'} />
            </Box>
            {action}
          </Flex>
        ) : null}
      </Flex>
    </Box>
  );
  return (
    <Flex direction="column" alignItems="stretch" gap={3}>
      {zone('header', t('layout.zone.header', 'Header'), 80)}
      <Flex gap={3} alignItems="stretch">
        <Box style={{ width: '35%' }}>{zone('side', t('layout.zone.side', 'Side'), 220)}</Box>
        <Box flex="1">{zone('main', t('layout.zone.main', 'Main'), 220)}</Box>
      </Flex>
    </Flex>
  );
};

const ProfileLayoutPage = () => {
  const t = useT();
  const { settings, loadError, canUpdate, saving, errors, setErrors, submit } = useSettingsForm();
  const [open, setOpen] = React.useState(false);
  const [draft, setDraft] = React.useState<Card | null>(null);

  if (loadError) return <Page.Error />;
  if (!settings) return <Page.Loading />;

  const edit = () => {
    setDraft(settings.card);
    setErrors({});
    setOpen(true);
  };

  const onSave = async () => {
    if (!draft) return;
    await submit({ card: draft }, () => setOpen(false));
  };

  const positionLabel = (p: CardPosition) =>
    ({
      side: t('layout.zone.side', 'Side'),
      main: t('layout.zone.main', 'Main'),
      header: t('layout.zone.header', 'Header'),
    })[p];

  return (
    <Layouts.Root>
      <Page.Title>{t('settings.layout.title', 'Profile Layout')}</Page.Title>
      <Page.Main>
        <Layouts.Header
          title={t('settings.layout.title', 'Profile Layout')}
          subtitle={t(
            'settings.layout.subtitle',
            'Where the Achievements card appears on member profiles.'
          )}
        />
        <Layouts.Content>
          <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
            <ProfileZones
              card={settings.card}
              action={
                <IconButton
                  label={t('layout.edit', 'Edit the Achievements card')}
                  onClick={edit}
                  disabled={!canUpdate}
                >
                  <Pencil />
                </IconButton>
              }
            />
          </Box>
        </Layouts.Content>
      </Page.Main>
      <Modal.Root open={open} onOpenChange={setOpen}>
        <Modal.Content>
          <Modal.Header>
            <Modal.Title>{t('layout.dialog.title', 'Achievements card')}</Modal.Title>
          </Modal.Header>
          {draft ? (
            <Modal.Body>
              <Flex direction="column" alignItems="stretch" gap={4}>
                <FormField
                  name="card.enabled"
                  label={t('layout.enabled', 'Show the card on profiles')}
                  hint={t(
                    'layout.enabled.hint',
                    'Switching the card off only hides it: every achievement is kept.'
                  )}
                  error={errors['card.enabled']}
                >
                  <Toggle
                    checked={draft.enabled}
                    onLabel={t('settings.gamification.on', 'On')}
                    offLabel={t('settings.gamification.off', 'Off')}
                    onChange={(e: React.ChangeEvent<HTMLInputElement>) =>
                      setDraft({ ...draft, enabled: e.target.checked })
                    }
                  />
                </FormField>
                <SelectField
                  name="card.position"
                  label={t('layout.position', 'Position')}
                  error={errors['card.position']}
                  value={draft.position}
                  onChange={(value) => setDraft({ ...draft, position: value as CardPosition })}
                  options={CARD_POSITIONS.map((p) => ({ value: p, label: positionLabel(p) }))}
                />
                <FormField
                  name="card.badgesToShow"
                  label={t('layout.badges', 'Badges to show')}
                  hint={t('layout.badges.hint', 'From 1 to 20.')}
                  error={errors['card.badgesToShow']}
                >
                  <Flex gap={2} alignItems="flex-start">
                    <Box flex="1">
                      <NumberInput
                        value={draft.badgesToShow}
                        onValueChange={(value: number | undefined) =>
                          setDraft({ ...draft, badgesToShow: value ?? 0 })
                        }
                      />
                    </Box>
                    {[3, 6, 10].map((n) => (
                      <Button
                        key={n}
                        variant={draft.badgesToShow === n ? 'secondary' : 'tertiary'}
                        onClick={() => setDraft({ ...draft, badgesToShow: n })}
                        aria-label={t('layout.badges.quick', 'Show {n} badges', { n })}
                      >
                        {n}
                      </Button>
                    ))}
                  </Flex>
                </FormField>
                <Typography variant="sigma" textColor="neutral600">
                  {t('layout.preview', 'Preview')}
                </Typography>
                <ProfileZones card={draft} />
              </Flex>
            </Modal.Body>
          ) : null}
          <Modal.Footer>
            <Modal.Close>
              <Button variant="tertiary">{t('common.cancel', 'Cancel')}</Button>
            </Modal.Close>
            <Button onClick={onSave} loading={saving}>
              {t('settings.save', 'Save')}
            </Button>
          </Modal.Footer>
        </Modal.Content>
      </Modal.Root>
    </Layouts.Root>
  );
};

export default protectedPage(PERMISSIONS.settingsRead, ProfileLayoutPage);
