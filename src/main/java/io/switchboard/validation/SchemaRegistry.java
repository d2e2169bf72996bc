package io.switchboard.validation;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FieldError;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.Validator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One validator per namespace that has a {@code schema} for its messages' {@code data}. Built once
 * at start from the schema files of {@code conf/}; read-only afterwards, so shared by every event
 * loop.
 */
public final class SchemaRegistry {
  private final Map<String, Validator> byNamespace;

  private SchemaRegistry(Map<String, Validator> byNamespace) {
    this.byNamespace = byNamespace;
  }

  /** @param schemas namespace name to the parsed JSON Schema of its {@code data} */
  public static SchemaRegistry of(Map<String, JsonObject> schemas) {
    Map<String, Validator> validators = new HashMap<>();
    schemas.forEach((namespace, schema) -> validators.put(
        namespace,
        Validator.create(
            JsonSchema.of(schema),
            ProtocolSchema.options(
                "https://switchboard.invalid/namespaces/" + namespace + ".json"))));
    return new SchemaRegistry(Map.copyOf(validators));
  }

  /** Throws {@code invalid_payload}, with paths under {@code /data}, if the data breaks the schema. */
  public void validateData(String namespace, Object data) {
    Validator validator = byNamespace.get(namespace);
    if (validator == null) {
      return;
    }
    List<FieldError> errors = SchemaErrors.of(validator.validate(data), "/data");
    if (!errors.isEmpty()) {
      throw new SwitchboardException(
          ErrorCode.INVALID_PAYLOAD,
          "data does not match the schema of namespace \"" + namespace + "\"",
          errors);
    }
  }
}
