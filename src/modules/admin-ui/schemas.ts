import { Type } from 'typebox';

const Colour = Type.String({ pattern: '^#[0-9a-fA-F]{6}$' });

export const Bootstrap = Type.Object(
  {
    store: Type.Object({
      id: Type.String({ format: 'uuid' }),
      name: Type.String(),
      subdomain: Type.String(),
      plan: Type.String(),
      status: Type.String(),
    }),
    branding: Type.Object({
      tagline: Type.Union([Type.String(), Type.Null()]),
      logo_url: Type.Union([Type.String(), Type.Null()]),
      primary_color: Colour,
      accent_color: Colour,
    }),
    /** The product's design tokens with the store's colours: the same values the storefront renders. */
    design_tokens: Type.Record(Type.String(), Type.String()),
    api_base_url: Type.String(),
    storefront_url: Type.String(),
    /** Feature flag values for this store; only for a signed-in member. */
    flags: Type.Record(Type.String(), Type.Union([Type.Boolean(), Type.Number(), Type.String()])),
    /** The signed-in member (null before sign-in). */
    user: Type.Union([
      Type.Object({
        subject: Type.String(),
        roles: Type.Array(Type.String()),
        scopes: Type.Array(Type.String()),
        impersonation: Type.Union([Type.Object({ actor_id: Type.String(), reason: Type.String(), ticket: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
      }),
      Type.Null(),
    ]),
  },
  { description: 'What the admin app needs before its first screen.' },
);

const RouteName = Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$' });

const NavigationEvent = Type.Object(
  { type: Type.Literal('navigation'), route: RouteName, duration_ms: Type.Number({ minimum: 0, maximum: 600_000 }), failed: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
const VitalEvent = Type.Object(
  { type: Type.Literal('vital'), name: Type.Union([Type.Literal('TTFB'), Type.Literal('LCP'), Type.Literal('CLS')]), value: Type.Number({ minimum: 0, maximum: 600_000 }) },
  { additionalProperties: false },
);
const ErrorEvent = Type.Object(
  { type: Type.Literal('error'), kind: Type.Union([Type.Literal('script'), Type.Literal('promise')]) },
  { additionalProperties: false },
);

export const TelemetryBatch = Type.Object(
  { events: Type.Array(Type.Union([NavigationEvent, VitalEvent, ErrorEvent]), { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false, description: 'Browser measurements of the admin app, sent in batches (navigator.sendBeacon).' },
);
