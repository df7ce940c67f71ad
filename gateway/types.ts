// The GraphQL types, made once at load time from the entity specs (gateway/entities.ts): per entity
// an object type, a `<Entity>Where` filter input, an `<Entity>OrderBy` enum, a `<Entity>Page` and
// the list arguments. type-graphql's decorators are applied as plain functions on generated classes.
import 'reflect-metadata';
import { GraphQLJSON } from 'graphql-scalars';
import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ENTITY_SPECS, type EntityName, type EntitySpec, type FieldSpec } from './entities';
import { BigIntScalar, DateTimeScalar } from './scalars';
import { filterOps, OP_SUFFIX } from './sql/filter';
import { DEFAULT_FIRST } from './sql/list';

// biome-ignore lint/complexity/noBannedTypes: type-graphql's own type for classes and enums
type TypeRef = Function | object;
type Ctor = new () => object;

export const OrderDirection = { ASC: 'ASC', DESC: 'DESC' } as const;
registerEnumType(OrderDirection, { name: 'OrderDirection', description: 'ASC: smallest first; DESC: largest first' });

/** A class with the given name, so that stack traces and type-graphql's metadata read well. */
function namedClass(name: string): Ctor {
  return { [name]: class {} }[name];
}

const registeredEnums = new Set<string>();
function scalarOf(f: FieldSpec): TypeRef {
  switch (f.kind) {
    case 'id':
      return ID;
    case 'int':
      return Int;
    case 'bigint':
      return BigIntScalar;
    case 'datetime':
      return DateTimeScalar;
    case 'boolean':
      return Boolean;
    case 'float':
      return Float;
    case 'intList':
      return [Int];
    case 'json':
      return GraphQLJSON;
    case 'enum': {
      const e = f.enum as NonNullable<FieldSpec['enum']>;
      if (!registeredEnums.has(e.name)) {
        registerEnumType(e.values, { name: e.name });
        registeredEnums.add(e.name);
      }
      return e.values;
    }
    default:
      return String;
  }
}

@ObjectType('PageInfo', { simpleResolvers: true })
export class PageInfoType {
  @Field({ description: 'Whether rows follow this page: pass endCursor as `after` to read them' })
  hasNextPage: boolean;
  @Field(() => String, { nullable: true, description: 'Cursor of the last item; null on an empty page' })
  endCursor: string | null;
}

export interface EntityTypes {
  spec: EntitySpec;
  object: Ctor;
  where: Ctor;
  orderBy: Record<string, string>;
  page: Ctor;
  args: Ctor;
}

function buildEntityTypes(spec: EntitySpec): EntityTypes {
  // Enums must be registered now: type-graphql reads its enum registry before it calls the
  // fields' type functions.
  for (const f of Object.values(spec.fields)) if (f.kind === 'enum') scalarOf(f);
  const object = namedClass(spec.name);
  for (const [name, f] of Object.entries(spec.fields)) {
    if (f.relation) continue; // resolved by a field resolver (gateway/resolvers.ts)
    Field(() => scalarOf(f), { nullable: !!f.nullable, description: f.description })(object.prototype, name);
  }
  ObjectType(spec.name, { simpleResolvers: true, description: spec.description })(object);

  const whereName = `${spec.name}Where`;
  const where = namedClass(whereName);
  for (const [name, f] of Object.entries(spec.fields)) {
    for (const op of filterOps(f)) {
      const list = op === 'in' || op === 'not_in';
      Field(() => (list ? [scalarOf(f)] : scalarOf(f)), { nullable: true })(where.prototype, name + OP_SUFFIX[op]);
    }
  }
  for (const [name, f] of Object.entries(spec.fields)) {
    // Lazy: the related entity's Where may be built after this one (and Job ↔ JobEvent refer both ways).
    const target = f.relation;
    if (target && f.filterable !== false) {
      Field(() => TYPES[target].where, { nullable: true, description: `Rows whose ${name} matches this filter` })(
        where.prototype,
        `${name}_`,
      );
    }
  }
  Field(() => [where], { nullable: true, description: 'Every condition must hold' })(where.prototype, 'and');
  Field(() => [where], { nullable: true, description: 'At least one condition must hold' })(where.prototype, 'or');
  InputType(whereName, {
    description: `Filter on ${spec.name}: field (equals), field_not, _gt, _gte, _lt, _lte, _in, _not_in, and for strings _contains, _not_contains, _starts_with; relation_ filters on the related entity`,
  })(where);

  const orderBy = Object.fromEntries(
    Object.entries(spec.fields)
      .filter(([, f]) => f.sortable)
      .map(([name]) => [name, name]),
  );
  registerEnumType(orderBy, { name: `${spec.name}OrderBy` });

  const page = namedClass(`${spec.name}Page`);
  Field(() => [object])(page.prototype, 'items');
  Field(() => PageInfoType)(page.prototype, 'pageInfo');
  Field(() => Int, { description: 'Rows matching `where` in all pages; counted only when asked for' })(page.prototype, 'totalCount');
  ObjectType(`${spec.name}Page`, { simpleResolvers: true })(page);

  const args = namedClass(`${spec.name}ListArgs`);
  Field(() => where, { nullable: true })(args.prototype, 'where');
  Field(() => orderBy, { defaultValue: spec.defaultOrderBy })(args.prototype, 'orderBy');
  Field(() => OrderDirection, { defaultValue: 'ASC' })(args.prototype, 'orderDirection');
  Field(() => Int, { defaultValue: DEFAULT_FIRST, description: 'Page size, at most 1000' })(args.prototype, 'first');
  Field(() => String, { nullable: true, description: "The previous page's endCursor" })(args.prototype, 'after');
  ArgsType()(args);

  return { spec, object, where, orderBy, page, args };
}

export const TYPES = Object.fromEntries(Object.values(ENTITY_SPECS).map((s) => [s.name, buildEntityTypes(s)])) as Record<
  EntityName,
  EntityTypes
>;

@ObjectType('ScoreFeature', { simpleResolvers: true, description: 'One input of the reputation model, with its value' })
export class ScoreFeatureType {
  @Field()
  name: string;
  @Field(() => Float)
  value: number;
}

@ObjectType('Meta', { simpleResolvers: true, description: 'How fresh the indexed data is' })
export class MetaType {
  @Field(() => Int, { nullable: true, description: 'Highest block indexed (including unfinalized blocks)' })
  block: number | null;
  @Field(() => Int, { nullable: true, description: 'Highest finalized block indexed' })
  finalizedBlock: number | null;
  @Field(() => Int, { nullable: true, description: 'Head of the chain at RPC_URL; null if unreachable' })
  chainHead: number | null;
  @Field(() => Int, { nullable: true, description: 'chainHead - block' })
  lag: number | null;
  @Field(() => String, { nullable: true, description: 'Execution provider of the inference service (cuda, cpu); null if unreachable' })
  executionProvider: string | null;
}
