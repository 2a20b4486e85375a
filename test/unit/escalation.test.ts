import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  defaultEscalationPolicy,
  durationSchema,
  enterStage,
  escalationAudience,
  escalationLevelOf,
  escalationPolicySchema,
  escalationSettingsSchema,
  formatDuration,
  nextDeadlines,
  recordChange,
  resolveEscalationPolicy,
  type EscalationPolicy,
  type EscalationState,
} from '../../src/domain/escalation';

const hour = 3600;

function messagesOf(result: { error?: { issues: Array<{ message: string }> } }): string[] {
  return result.error?.issues.map((issue) => issue.message) ?? [];
}

function issuesOf(result: { error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }): Array<[string, string]> {
  return result.error?.issues.map((issue) => [issue.path.join('.'), issue.message]) ?? [];
}

describe('durations', () => {
  test('compact, combined and ISO-8601 durations and plain seconds all parse to seconds', () => {
    const inputs = ['90s', '30m', '2h', '1d', '1h30m', 'PT2H', 'P1DT2H', 'pt30m', ' 2h ', 5400];
    assert.deepEqual(
      inputs.map((input) => durationSchema.parse(input)),
      [90, 1800, 7200, 86400, 5400, 7200, 93600, 1800, 7200, 5400],
    );
  });

  test('text that is no duration is refused with an example of one', () => {
    for (const input of ['soon', '2 h', 'h', '', null]) {
      assert.match(messagesOf(durationSchema.safeParse(input))[0] ?? '', /^expected a duration such as 30m, 2h, 1d/, String(input));
    }
  });

  test('bare digits in text are refused, as the unit cannot be guessed', () => {
    assert.deepEqual(messagesOf(durationSchema.safeParse('90')), ['expected a duration such as 30m, 2h, 1d: add a unit (90s, 90m, 90h)']);
  });

  test('ISO-8601 months and years are refused, as they have no fixed length', () => {
    for (const input of ['P1M', 'P1Y', 'PT']) assert.equal(durationSchema.safeParse(input).success, false, input);
  });

  test('a duration must be a whole number of seconds, longer than 0 and at most 60 days', () => {
    assert.deepEqual(
      [0, '0m', -5, 1.5, '61d', 60 * 24 * hour + 1].map((input) => messagesOf(durationSchema.safeParse(input))[0]),
      [
        'a duration must be longer than 0',
        'a duration must be longer than 0',
        'a duration must be longer than 0',
        'a duration in seconds must be a whole number',
        'a duration may be at most 60 days (60d)',
        'a duration may be at most 60 days (60d)',
      ],
    );
    assert.equal(durationSchema.parse('60d'), 60 * 24 * hour);
  });

  test('seconds are written back the way people type them', () => {
    assert.deepEqual([5400, 7200, 86400, 90, 93600].map(formatDuration), ['1h30m', '2h', '1d', '1m30s', '1d2h']);
  });
});

describe('the escalation policy', () => {
  test('an empty policy has exactly the thresholds and actions of the seeds', () => {
    const p = escalationPolicySchema.parse({});
    assert.deepEqual(
      [p.es1.after, p.es2.after, p.es3.after, p.es4.after, p.es5.after, p.es5b.after, p.fs2.after, p.fs3.after],
      [2 * hour, 4 * hour, 12 * hour, 24 * hour, 30 * 60, 60 * 60, 15 * 60, 4 * hour],
    );
    assert.deepEqual(p.es1.notify, [{ channel: 'wecom', to: '@supervisor', language: 'zh' }]);
    assert.deepEqual(p.es2.notify, [{ channel: 'sms', to: '@location', language: 'zh' }]);
    assert.deepEqual([p.es3.pause, p.es4.freezePayouts, p.es5b.pin], [true, true, true]);
    assert.deepEqual(
      p.es5.notify.map((r) => r.channel),
      ['wecom', 'email'],
    );
    assert.ok(Object.values(p).every((level) => level.enabled));
    assert.deepEqual(p, defaultEscalationPolicy);
  });

  test('a bad duration is refused at its path with an example', () => {
    assert.deepEqual(issuesOf(escalationPolicySchema.safeParse({ es2: { after: 'later' } })), [
      ['es2.after', 'expected a duration such as 30m, 2h, 1d, 1h30m, PT2H or a number of seconds'],
    ]);
  });

  test('a misspelt level or setting is refused rather than ignored', () => {
    assert.equal(escalationPolicySchema.safeParse({ es6: {} }).success, false);
    assert.equal(escalationPolicySchema.safeParse({ es3: { paused: false } }).success, false);
  });

  test("a recipient's address must suit its channel unless it names a role", () => {
    const notify = [
      { channel: 'sms', to: 'bob' },
      { channel: 'email', to: 'ops@example.com' },
      { channel: 'email', to: 'nobody' },
      { channel: 'wecom', to: '@location', language: 'en' },
      { channel: 'sms', to: '+86 138 0013 8000' },
    ];
    assert.deepEqual(
      issuesOf(escalationPolicySchema.safeParse({ es2: { notify } })).map(([path]) => path),
      ['es2.notify.0.to', 'es2.notify.2.to'],
    );
  });

  test('the manual-review step must come after the first ES-5 warning', () => {
    assert.deepEqual(issuesOf(escalationPolicySchema.safeParse({ es5b: { after: '20m' } })), [
      ['es5b.after', 'must be longer than es5.after (30m): the manual-review pin follows the warning'],
    ]);
  });
});

describe('escalation overrides', () => {
  const acmeOnDouyin = { brand: 'acme', channel: 'douyin' } as const;
  const atSuzhou = { ...acmeOnDouyin, location: { kind: 'warehouse', id: 'suzhou' } } as const;

  function stored(overrides: unknown[]) {
    return escalationSettingsSchema.parse({ base: {}, overrides });
  }

  test('an order no override matches gets the base policy, with the version it was read at', () => {
    const settings = stored([{ id: 'jd', channel: 'jd', settings: { es1: { after: '1h' } } }]);
    assert.deepEqual(resolveEscalationPolicy(settings, acmeOnDouyin, 7), {
      policy: defaultEscalationPolicy,
      appliedOverrides: [],
      version: 7,
    });
  });

  test("a brand override applies to the brand's orders and is stored in seconds", () => {
    const settings = stored([{ id: 'acme', brand: 'acme', settings: { es1: { after: '3h' } } }]);
    assert.deepEqual(settings.overrides[0]!.settings, { es1: { after: 3 * hour } });
    const { policy } = resolveEscalationPolicy(settings, acmeOnDouyin, 1);
    assert.equal(policy.es1.after, 3 * hour);
    assert.deepEqual(policy.es1.notify, defaultEscalationPolicy.es1.notify, 'siblings are kept');
  });

  test('a brand-and-channel override beats a brand override, which beats a channel override', () => {
    const settings = stored([
      { id: 'acme-douyin', ...acmeOnDouyin, settings: { es1: { after: '1h' } } },
      { id: 'acme', brand: 'acme', settings: { es1: { after: '3h' } } },
      { id: 'douyin', channel: 'douyin', settings: { es1: { after: '5h' }, es2: { after: '6h' } } },
    ]);
    const resolved = resolveEscalationPolicy(settings, acmeOnDouyin, 1);
    assert.deepEqual(resolved.appliedOverrides, ['douyin', 'acme', 'acme-douyin']);
    assert.deepEqual([resolved.policy.es1.after, resolved.policy.es2.after], [hour, 6 * hour]);
  });

  test("a warehouse override applies to that warehouse's shipments only", () => {
    const settings = stored([{ id: 'suzhou', location: { kind: 'warehouse', id: 'suzhou' }, settings: { es3: { pause: false } } }]);
    assert.equal(resolveEscalationPolicy(settings, atSuzhou, 1).policy.es3.pause, false);
    assert.equal(resolveEscalationPolicy(settings, acmeOnDouyin, 1).policy.es3.pause, true, 'the order before routing');
    const hefei = { ...acmeOnDouyin, location: { kind: 'warehouse', id: 'hefei' } } as const;
    assert.equal(resolveEscalationPolicy(settings, hefei, 1).policy.es3.pause, true);
    const supplierSuzhou = { ...acmeOnDouyin, location: { kind: 'supplier', id: 'suzhou' } } as const;
    assert.equal(resolveEscalationPolicy(settings, supplierSuzhou, 1).policy.es3.pause, true, 'a supplier of the same id');
  });

  test("a warehouse's own terms beat the brand-and-channel override", () => {
    const settings = stored([
      { id: 'suzhou', location: { kind: 'warehouse', id: 'suzhou' }, settings: { es4: { after: '48h' } } },
      { id: 'acme-douyin', ...acmeOnDouyin, settings: { es4: { after: '12h' } } },
    ]);
    const resolved = resolveEscalationPolicy(settings, atSuzhou, 1);
    assert.deepEqual([resolved.appliedOverrides, resolved.policy.es4.after], [['acme-douyin', 'suzhou'], 48 * hour]);
  });

  test('a supplier override can stop payouts from freezing and replace who is told', () => {
    const notify = [{ channel: 'email', to: 'finance@example.com', language: 'en' }];
    const settings = stored([
      { id: 'box', location: { kind: 'supplier', id: 'sup-hz-box' }, settings: { es4: { freezePayouts: false, notify } } },
    ]);
    const { policy } = resolveEscalationPolicy(settings, { ...acmeOnDouyin, location: { kind: 'supplier', id: 'sup-hz-box' } }, 1);
    assert.deepEqual(policy.es4, { enabled: true, after: 24 * hour, notify, freezePayouts: false });
  });

  test('an override is refused at its path inside settings, for a target it lacks, for ES-1 at a location, for a reused id', () => {
    const result = escalationSettingsSchema.safeParse({
      base: {},
      overrides: [
        { id: 'acme', brand: 'acme', settings: { es2: { after: 'later' } } },
        { id: 'all', settings: {} },
        { id: 'suzhou', location: { kind: 'warehouse', id: 'suzhou' }, settings: { es1: { after: '1h' } } },
      ],
    });
    assert.deepEqual(
      issuesOf(result).map(([path]) => path),
      ['overrides.0.settings.es2.after', 'overrides.1.brand', 'overrides.2.settings.es1'],
    );
    const twice = escalationSettingsSchema.safeParse({
      base: {},
      overrides: [
        { id: 'acme', brand: 'acme', settings: {} },
        { id: 'acme', channel: 'jd', settings: {} },
      ],
    });
    assert.deepEqual(issuesOf(twice), [['overrides.1.id', 'another override has this id']]);
  });

  test('stored settings read back unchanged, so a saved version parses again', () => {
    const settings = stored([
      { id: 'acme', brand: 'acme', settings: { es5: { after: 'PT45M', notify: [{ channel: 'wecom', to: 'acme-ops' }] } } },
    ]);
    assert.deepEqual(escalationSettingsSchema.parse(JSON.parse(JSON.stringify(settings))), settings);
  });
});

describe('what is late: nextDeadlines', () => {
  const at = (hhmm: string) => `2026-02-03T${hhmm}:00.000Z`;
  const state = (stage: EscalationState['stage'], extra: Partial<EscalationState> = {}): EscalationState => ({
    stage,
    since: at('10:00'),
    lastChangeAt: at('10:00'),
    hasTracking: false,
    firedLevels: [],
    ...extra,
  });
  const due = (s: EscalationState, policy: EscalationPolicy = defaultEscalationPolicy) =>
    nextDeadlines(s, policy).map((d) => [d.level, d.dueAt]);

  test('an order awaiting assignment is due for ES-1 two hours after it was paid', () => {
    assert.deepEqual(due(state('awaitingAssignment')), [['ES-1', at('12:00')]]);
  });

  test('an assigned shipment not started gets the ES-5 warning, then the manual-review pin, then ES-2', () => {
    assert.deepEqual(due(state('assignedNotStarted')), [
      ['ES-5', at('10:30')],
      ['ES-5b', at('11:00')],
      ['ES-2', at('14:00')],
    ]);
  });

  test('a started shipment is due for ES-3 twelve hours after its last progress report', () => {
    const s = state('inProgress', { lastChangeAt: at('13:00'), hasTracking: true });
    assert.deepEqual(due(s), [['ES-3', '2026-02-04T01:00:00.000Z']]);
  });

  test('a packed shipment is due for ES-4 a day after packing, whatever progress came since', () => {
    const s = state('packedNotShipped', { lastChangeAt: at('20:00'), hasTracking: true });
    assert.deepEqual(due(s), [['ES-4', '2026-02-04T10:00:00.000Z']]);
  });

  test('a shipped parcel is due for FS-2 fifteen minutes after shipment and FS-3 four hours after its last tracking event', () => {
    const s = state('shipped', { lastChangeAt: at('11:00'), hasTracking: true });
    assert.deepEqual(due(s), [
      ['FS-2', at('10:15')],
      ['FS-3', at('15:00')],
    ]);
    assert.deepEqual(due({ ...s, writeBackConfirmed: true }), [['FS-3', at('15:00')]]);
  });

  test('a parcel delivered before its write-back was confirmed is still due for FS-2, and no longer for FS-3', () => {
    const s = state('shipped', { lastChangeAt: at('10:05'), hasTracking: true, delivered: true });
    assert.deepEqual(due(s), [['FS-2', at('10:15')]]);
    assert.deepEqual(due({ ...s, writeBackConfirmed: true }), []);
  });

  test('a finished order has nothing due', () => {
    assert.deepEqual(due(state('done')), []);
  });

  test('a tracking number settles ES-5: only the stage level remains', () => {
    assert.deepEqual(due(state('assignedNotStarted', { hasTracking: true })), [['ES-2', at('14:00')]]);
  });

  test('progress (a newer last change) pushes ES-5 out but not ES-2', () => {
    const s = state('assignedNotStarted', { lastChangeAt: at('10:25') });
    assert.deepEqual(due(s), [
      ['ES-5', at('10:55')],
      ['ES-5b', at('11:25')],
      ['ES-2', at('14:00')],
    ]);
  });

  test('fired levels are not returned again', () => {
    assert.deepEqual(due(state('assignedNotStarted', { firedLevels: ['ES-5'] })), [
      ['ES-5b', at('11:00')],
      ['ES-2', at('14:00')],
    ]);
  });

  test('a disabled level is never due', () => {
    const policy = escalationPolicySchema.parse({ es5: { enabled: false }, es5b: { enabled: false } });
    assert.deepEqual(due(state('assignedNotStarted'), policy), [['ES-2', at('14:00')]]);
  });

  test('instants with an offset give the same deadlines, always written in UTC', () => {
    const s = state('awaitingAssignment', { since: '2026-02-03T18:00:00+08:00', lastChangeAt: '2026-02-03T18:00:00+08:00' });
    assert.deepEqual(due(s), [['ES-1', at('12:00')]]);
  });

  test('levels falling due at once are listed in level order', () => {
    const policy = escalationPolicySchema.parse({ es2: { after: '30m' } });
    assert.deepEqual(
      due(state('assignedNotStarted'), policy).map(([level]) => level),
      ['ES-2', 'ES-5', 'ES-5b'],
    );
  });

  test('each deadline carries its action: ES-3 pauses dispatch, ES-4 freezes payouts, the pinning levels need attention', () => {
    const actionOf = (stage: EscalationState['stage'], level: string) =>
      nextDeadlines(state(stage), defaultEscalationPolicy).find((d) => d.level === level)!.action;
    assert.deepEqual(actionOf('inProgress', 'ES-3'), {
      notify: [],
      escalationLevel: 3,
      pauseDispatch: true,
      freezePayouts: false,
      attention: null,
    });
    assert.deepEqual([actionOf('packedNotShipped', 'ES-4').freezePayouts, actionOf('packedNotShipped', 'ES-4').escalationLevel], [true, 4]);
    assert.deepEqual(actionOf('awaitingAssignment', 'ES-1').notify, [{ channel: 'wecom', to: '@supervisor', language: 'zh' }]);
    assert.deepEqual([actionOf('inProgress', 'ES-5').attention, actionOf('inProgress', 'ES-5b').attention], [null, 'STUCK_MANUAL_REVIEW']);
    assert.deepEqual(
      [actionOf('shipped', 'FS-2').attention, actionOf('shipped', 'FS-3').attention, actionOf('shipped', 'FS-3').escalationLevel],
      ['WRITE_BACK_LATE', 'TRACKING_SILENT', 0],
    );
    const noPause = escalationPolicySchema.parse({ es3: { pause: false } });
    assert.equal(nextDeadlines(state('inProgress'), noPause)[0]!.action.pauseDispatch, false);
  });

  test('a state that is no instant is refused rather than given a wrong deadline', () => {
    assert.throws(() => nextDeadlines(state('awaitingAssignment', { since: 'yesterday' }), defaultEscalationPolicy), RangeError);
  });
});

describe('escalation state', () => {
  test('the EscalationLevel number is the highest of ES-1…ES-4 fired; the other levels leave it alone', () => {
    assert.deepEqual(
      [escalationLevelOf([]), escalationLevelOf(['ES-5', 'ES-5b', 'FS-2']), escalationLevelOf(['ES-2', 'ES-5', 'ES-1'])],
      [0, 0, 2],
    );
  });

  test('a change within the stage re-arms the waits it resets, and keeps the others fired', () => {
    const s = recordChange(
      {
        stage: 'assignedNotStarted',
        since: '2026-02-03T10:00:00Z',
        lastChangeAt: '2026-02-03T10:00:00Z',
        hasTracking: false,
        firedLevels: ['ES-2', 'ES-5', 'ES-5b'],
      },
      '2026-02-03T15:00:00Z',
    );
    assert.deepEqual([s.lastChangeAt, s.firedLevels], ['2026-02-03T15:00:00Z', ['ES-2']]);
    assert.deepEqual(
      nextDeadlines(s, defaultEscalationPolicy).map((d) => d.level),
      ['ES-5', 'ES-5b'],
    );
  });

  test('entering a stage starts every wait over and keeps the tracking facts', () => {
    const packed = enterStage(
      {
        stage: 'inProgress',
        since: '2026-02-03T10:00:00Z',
        lastChangeAt: '2026-02-03T12:00:00Z',
        hasTracking: true,
        firedLevels: ['ES-3'],
      },
      'packedNotShipped',
      '2026-02-03T13:00:00Z',
    );
    assert.deepEqual(packed, {
      stage: 'packedNotShipped',
      since: '2026-02-03T13:00:00Z',
      lastChangeAt: '2026-02-03T13:00:00Z',
      hasTracking: true,
      firedLevels: [],
    });
    assert.equal(enterStage(undefined, 'awaitingAssignment', '2026-02-03T10:00:00Z').hasTracking, false);
  });
});

describe('who a policy change reaches', () => {
  const settings = (base: object, overrides: object[]) => escalationSettingsSchema.parse({ base, overrides });
  const brandFast = { id: 'a-fast', brand: 'acme', settings: { es2: { after: '1h' } } };
  const suzhouSlow = { id: 'suzhou-slow', location: { kind: 'warehouse', id: 'suzhou' }, settings: { es3: { after: '24h' } } };

  test('a changed base reaches every order', () => {
    assert.equal(escalationAudience(settings({}, [brandFast]), settings({ es1: { after: '3h' } }, [brandFast])), 'everyone');
  });

  test('an added, changed or removed override reaches only the orders it matches, once per scope', () => {
    const before = settings({}, [brandFast]);
    assert.deepEqual(escalationAudience(before, settings({}, [brandFast, suzhouSlow])), [
      { location: { kind: 'warehouse', id: 'suzhou' } },
    ]);
    assert.deepEqual(escalationAudience(before, settings({}, [{ ...brandFast, settings: { es2: { after: '30m' } } }])), [
      { brand: 'acme' },
    ]);
    assert.deepEqual(escalationAudience(before, settings({}, [])), [{ brand: 'acme' }]);
    assert.deepEqual(escalationAudience(before, settings({}, [brandFast])), [], 'saving the same settings times nobody again');
  });

  test('moving an override reaches the orders of both it and the one it passed (ties go to the later one)', () => {
    const acmeTmall = { id: 'acme-tmall', brand: 'acme', channel: 'tmall', settings: { es2: { after: '2h' } } };
    const audience = escalationAudience(settings({}, [brandFast, acmeTmall]), settings({}, [acmeTmall, brandFast]));
    assert.deepEqual(audience, [{ brand: 'acme' }, { brand: 'acme', channel: 'tmall' }]);
  });
});
