import { Badge } from '@strapi/design-system';
import { Crown } from '@strapi/icons';
import { useT } from '../utils/api';

const COLORS: Record<string, { bg: string; text: string }> = {
  bronze: { bg: 'warning100', text: 'warning700' },
  silver: { bg: 'neutral150', text: 'neutral700' },
  gold: { bg: 'secondary100', text: 'secondary700' },
  platinum: { bg: 'primary100', text: 'primary700' },
};

export const tierLabel = (t: ReturnType<typeof useT>, tier: string) =>
  ({
    bronze: t('tier.bronze', 'Bronze'),
    silver: t('tier.silver', 'Silver'),
    gold: t('tier.gold', 'Gold'),
    platinum: t('tier.platinum', 'Platinum'),
  })[tier] ?? tier;

export const Tier = ({ tier }: { tier: string }) => {
  const t = useT();
  const c = COLORS[tier] ?? COLORS.silver;
  return (
    <Badge backgroundColor={c.bg} textColor={c.text}>
      {tierLabel(t, tier)}
    </Badge>
  );
};

/** Badge artwork, or a medal placeholder. */
export const Artwork = ({
  url,
  alt,
  size = 32,
  locked = false,
}: {
  url?: string | null;
  alt: string;
  size?: number;
  locked?: boolean;
}) =>
  url ? (
    <img
      src={url}
      alt={alt}
      width={size}
      height={size}
      style={{ objectFit: 'contain', filter: locked ? 'grayscale(1) opacity(0.5)' : undefined }}
    />
  ) : (
    <Crown
      role="img"
      aria-label={alt}
      width={size}
      height={size}
      fill={locked ? 'neutral400' : 'warning500'}
    />
  );
