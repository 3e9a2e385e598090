import {
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  Kind,
  TypeInfo,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  typeFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/**
 * What an operation uses that the Admin schema marks deprecated, with the schema's own deprecationReason (which
 * names the replacement). Shopify still answers deprecated fields, so nothing fails at run time until a version
 * removes them: the only way to notice early is to look, and this is the look. Used by the test that holds every
 * operation the app sends against the committed 2026-10 schema, and by the emulator, which counts what it is sent
 * (including what arrives in variables, which no static reading of the documents can see).
 */
export interface DeprecatedUsage {
  /** `Type.field`, `Type.field(arg:)`, `InputType.field` or `Enum.VALUE`. */
  what: string;
  reason: string;
}

/** Deprecated fields, arguments, input fields and enum values written in the document itself. */
export function deprecatedInDocument(schema: GraphQLSchema, document: DocumentNode): DeprecatedUsage[] {
  const found: DeprecatedUsage[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (parent && field?.deprecationReason) found.push({ what: `${parent.name}.${field.name}`, reason: field.deprecationReason });
      },
      Argument() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const argument = typeInfo.getArgument();
        if (parent && field && argument?.deprecationReason)
          found.push({ what: `${parent.name}.${field.name}(${argument.name}:)`, reason: argument.deprecationReason });
      },
      ObjectField(node) {
        // On an object field, the input type stack holds the field's type; its parent is the input object.
        const owner = typeInfo.getParentInputType();
        const named = owner ? getNamedType(owner) : null;
        const inputField = isInputObjectType(named) ? named.getFields()[node.name.value] : undefined;
        if (named && inputField?.deprecationReason) found.push({ what: `${named.name}.${inputField.name}`, reason: inputField.deprecationReason });
      },
      EnumValue(node) {
        const type = typeInfo.getInputType();
        const named = type ? getNamedType(type) : null;
        const value = isEnumType(named) ? named.getValue(node.value) : undefined;
        if (named && value?.deprecationReason) found.push({ what: `${named.name}.${value.name}`, reason: value.deprecationReason });
      },
    }),
  );
  return found;
}

/** Deprecated input fields and enum values in the variables sent with the document, read against their declared types. */
export function deprecatedInVariables(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>): DeprecatedUsage[] {
  const found: DeprecatedUsage[] = [];
  const walk = (type: GraphQLInputType, value: unknown): void => {
    if (value === null || value === undefined) return;
    if (isNonNullType(type)) return walk(type.ofType, value);
    if (isListType(type)) {
      for (const item of Array.isArray(value) ? value : [value]) walk(type.ofType, item);
      return;
    }
    if (isEnumType(type) && typeof value === 'string') {
      const enumValue = type.getValue(value);
      if (enumValue?.deprecationReason) found.push({ what: `${type.name}.${enumValue.name}`, reason: enumValue.deprecationReason });
      return;
    }
    if (isInputObjectType(type) && typeof value === 'object') {
      const fields = type.getFields();
      for (const [name, fieldValue] of Object.entries(value as Record<string, unknown>)) {
        const field = fields[name];
        if (!field) continue;
        if (field.deprecationReason) found.push({ what: `${type.name}.${name}`, reason: field.deprecationReason });
        walk(field.type, fieldValue);
      }
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const type = typeFromAST(schema, variable.type);
      if (type && isInputType(type)) walk(type, variables[variable.variable.name.value]);
    }
  }
  return found;
}
