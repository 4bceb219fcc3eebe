import { z } from 'zod';
import { SOCIAL_PLATFORMS } from './uids';

/** A zone the runtime knows, by its IANA name (not an offset such as "+02:00"). */
const toIanaZone = (value: string): string | null => {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value)) return null;
  try {
    // The runtime's own tz database decides; resolvedOptions() gives the canonical spelling.
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
};

const socialLinkSchema = z.strictObject({
  platform: z.enum(SOCIAL_PLATFORMS, { error: `must be one of ${SOCIAL_PLATFORMS.join(', ')}` }),
  url: z
    .string({ error: 'must be a URL' })
    .max(500, { error: 'must be at most 500 characters' })
    .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
});

/**
 * What a member may change on their own profile: nothing else. Identity and access fields
 * (id, username, email, role, confirmed, blocked, password, provider, …) are unknown keys here,
 * so a request carrying any of them is refused as a whole and writes nothing.
 */
export const profileUpdateSchema = z.strictObject(
  {
    bio: z
      .string({ error: 'must be text' })
      .max(1000, { error: 'must be at most 1000 characters' })
      .nullable()
      .optional(),
    timezone: z
      .string({ error: 'must be an IANA time zone name such as Europe/Paris' })
      .transform((value, ctx) => {
        const zone = toIanaZone(value);
        if (!zone) {
          ctx.addIssue({
            code: 'custom',
            message: `"${value}" is not an IANA time zone such as Europe/Paris`,
          });
          return z.NEVER;
        }
        return zone;
      })
      .nullable()
      .optional(),
    socialLinks: z
      .array(socialLinkSchema, { error: 'must be a list of { platform, url }' })
      .max(10, { error: 'at most 10 links' })
      .optional(),
    avatar: z
      .number({ error: 'must be the id of an uploaded image, or null' })
      .int({ error: 'must be the id of an uploaded image, or null' })
      .positive({ error: 'must be the id of an uploaded image, or null' })
      .nullable()
      .optional(),
  },
  { error: 'must be a JSON object' }
);

export type ProfileUpdate = z.output<typeof profileUpdateSchema>;
