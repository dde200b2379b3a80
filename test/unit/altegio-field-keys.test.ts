/**
 * Issue 10 item 6: Altegio's field keys → the contract's (main/core/altegio/field-keys.ts), and
 * failureFromHttp applying a write's map: a field-level refusal lands under the key the dialog
 * shows beside its field; words about no field of ours stay in the general message.
 */
import { describe, expect, it } from 'vitest';
import { AUTH_FIELDS, balanceFields, FREEZE_FIELDS, PERIOD_FIELDS, placeFields, type FieldKeyMap } from '../../main/core/altegio/field-keys';
import { failureFromHttp } from '../../main/core/altegio/failures';
import { cleanFieldKey } from '../../main/core/altegio/wire';

const PILATES = 12840551;
const YOGA = 9911201;
const perService = balanceFields({ services: [{ serviceId: PILATES, balance: 5 }, { serviceId: YOGA, balance: 2 }] });
const united = balanceFields({ united: 6 });

// [write, Altegio's key as sent, our key (undefined: general), the write's map]
const TABLE: Array<[string, string, string | undefined, FieldKeyMap]> = [
  ['set_balance', '[services_balance_count][0][balance]', `services.${PILATES}`, perService],
  ['set_balance', '[services_balance_count][1][balance]', `services.${YOGA}`, perService],
  ['set_balance', 'services_balance_count.1.balance', `services.${YOGA}`, perService],
  ['set_balance', 'services_balance_count[1].balance', `services.${YOGA}`, perService],
  ['set_balance', '[services_balance_count][1][service_id]', `services.${YOGA}`, perService],
  ['set_balance', 'services_balance_count.1', `services.${YOGA}`, perService],
  ['set_balance', '/data/attributes/services_balance_count/0/balance', `services.${PILATES}`, perService],
  ['set_balance', '[services_balance_count][2][balance]', undefined, perService],
  ['set_balance', '[services_balance_count]', undefined, perService],
  ['set_balance', 'services_balance_count.x.balance', undefined, perService],
  ['set_balance', '[united_balance_services_count]', undefined, perService],
  ['set_balance', '[balance_edit_type_id]', undefined, perService],
  ['set_balance', '[status]', undefined, perService],
  ['set_balance', '[united_balance_services_count]', 'united', united],
  ['set_balance', '[services_balance_count][0][balance]', undefined, united],
  ['freeze', '[freeze_till]', 'freezeTill', FREEZE_FIELDS],
  ['freeze', 'freeze_till', 'freezeTill', FREEZE_FIELDS],
  ['freeze', 'freeze_from', 'freezeTill', FREEZE_FIELDS],
  ['freeze', '[freeze_period]', 'freezeTill', FREEZE_FIELDS],
  ['freeze', 'date', 'freezeTill', FREEZE_FIELDS],
  ['freeze', 'data.attributes.freeze_till', 'freezeTill', FREEZE_FIELDS],
  ['freeze', '[status]', undefined, FREEZE_FIELDS],
  ['freeze', 'abonement_id', undefined, FREEZE_FIELDS],
  ['freeze', 'constructor', undefined, FREEZE_FIELDS],
  ['set_period', '[period]', 'expiry', PERIOD_FIELDS],
  ['set_period', '[period_unit_id]', 'expiry', PERIOD_FIELDS],
  ['set_period', 'expiration_date', 'expiry', PERIOD_FIELDS],
  ['set_period', '[status]', undefined, PERIOD_FIELDS],
  ['auth', '[login]', 'login', AUTH_FIELDS],
  ['auth', 'password', 'password', AUTH_FIELDS],
  ['auth', 'email', 'login', AUTH_FIELDS],
  ['auth', 'partner_token', undefined, AUTH_FIELDS],
];

describe("Altegio's field keys → the contract's, per write", () => {
  it.each(TABLE)('%s: %s → %s', (_write, altegio, ours, map) => {
    expect(map(cleanFieldKey(altegio.replace(/^\/+/, '').replace(/\//g, '.')))).toBe(ours);
  });

  it('sorts a refusal into our fields and the general rest, each text once, nothing dropped', () => {
    const placed = placeFields(
      {
        'services_balance_count.0.balance': 'Must be at least 0.',
        'services_balance_count.0.service_id': 'The service is not in this membership.',
        'services_balance_count.0.count': 'Must be at least 0.',
        status: 'The membership has expired.',
        other: 'The membership has expired.',
        x: 'Something else.',
      },
      perService,
    );
    // Several of Altegio's keys for one field of ours: each distinct sentence, one per line, in the order said.
    expect(placed).toEqual({
      fields: { [`services.${PILATES}`]: 'Must be at least 0.\nThe service is not in this membership.' },
      general: ['The membership has expired.', 'Something else.'],
    });
    expect(placeFields({ freeze_till: 'Too far.' }, undefined)).toEqual({ fields: {}, general: ['Too far.'] });
  });
});

const ctx = { isAuth: false, secrets: [] };
const refusal = (errors: Record<string, string[]>, message = 'An error occurred') => ({ success: false, data: null, meta: { message, errors } });

describe('failureFromHttp with the write’s map', () => {
  // [case, status, body, map, expected contract data (subset)]
  const CASES: Array<[string, number, unknown, FieldKeyMap | undefined, Record<string, unknown>]> = [
    [
      'a balance refused beside the second service sent; the generic message gives way to the field’s words',
      422,
      refusal({ '[services_balance_count][1][balance]': ['Must be at least 0.'] }),
      perService,
      { kind: 'validation', origin: 'altegio', message: 'Must be at least 0.', messageIsServers: true, fields: { [`services.${YOGA}`]: 'Must be at least 0.' }, serverMessage: 'An error occurred' },
    ],
    [
      'a specific message stays the message; the field is placed',
      422,
      refusal({ '[services_balance_count][0][service_id]': ['Service 1 is not in this membership.'] }, 'Invalid service ID'),
      perService,
      { message: 'Invalid service ID', fields: { [`services.${PILATES}`]: 'Service 1 is not in this membership.' } },
    ],
    [
      'a key of no field of ours: its words are the message, listed under _ (never beside a field)',
      400,
      refusal({ '[balance_edit_type_id]': ['Balance changes are prohibited for this membership type.'] }),
      perService,
      { kind: 'validation', message: 'Balance changes are prohibited for this membership type.', fields: { _: 'Balance changes are prohibited for this membership type.' } },
    ],
    [
      'the server’s own text first, then words about no field of ours, one per line; ours placed',
      422,
      refusal({ '[freeze_till]': ['The freeze would take 30 days; 14 are left.'], '[abonement]': ['The membership is archived.'] }, 'Freeze period exceeds limit'),
      FREEZE_FIELDS,
      { message: 'Freeze period exceeds limit\nThe membership is archived.', fields: { freezeTill: 'The freeze would take 30 days; 14 are left.', _: 'The membership is archived.' } },
    ],
    [
      'two of Altegio’s keys for the one date of the freeze: both sentences beside it, one per line',
      422,
      refusal({ '[freeze_till]': ['Date is after the limit'], '[freeze_period]': ['Freeze period exceeds 30 days'] }),
      FREEZE_FIELDS,
      { kind: 'validation', fields: { freezeTill: 'Date is after the limit\nFreeze period exceeds 30 days' } },
    ],
    [
      'no map (a read): every field error is general',
      400,
      refusal({ '[filters]': ['The value you selected is invalid'] }),
      undefined,
      { message: 'The value you selected is invalid', fields: { _: 'The value you selected is invalid' } },
    ],
    [
      'a field error that only repeats the server’s text adds nothing general',
      422,
      refusal({ '[status]': ['Subscription cannot be frozen'] }, 'Subscription cannot be frozen'),
      FREEZE_FIELDS,
      { message: 'Subscription cannot be frozen', serverMessage: 'Subscription cannot be frozen' },
    ],
    [
      'on /auth: the password field is the form’s',
      422,
      refusal({ '[password]': ['The password is too short.'] }),
      AUTH_FIELDS,
      { code: 'altegio.wrong_credentials', msg: { key: 'error.code.wrongCredentials' }, fields: { password: 'The password is too short.' } },
    ],
  ];

  it.each(CASES)('%s', (_case, status, body, fieldKeys, expected) => {
    const isAuth = expected['code'] === 'altegio.wrong_credentials';
    const data = failureFromHttp(status, body, { ...ctx, isAuth, fieldKeys }).toData();
    expect(data).toMatchObject(expected);
    if (!('fields' in expected)) expect(data.fields).toBeUndefined();
    // Nothing Altegio said about a field is lost: each text is beside a field or in the message.
    const said = Object.values((body as { meta: { errors: Record<string, string[]> } }).meta.errors).map((v) => v[0]!);
    for (const words of said) expect([data.message, ...Object.entries(data.fields ?? {}).filter(([k]) => k !== '_').map(([, v]) => v)].join('\n')).toContain(words);
  });
});
