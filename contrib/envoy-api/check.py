"""Compare the subset of Envoy's API in protos/ with Envoy's own descriptors.

Usage: check.py SUBSET.pb
SUBSET.pb is a FileDescriptorSet of the subset (protoc --descriptor_set_out
--include_imports). The upstream descriptors come from the xds-protos package.
Every message, field, oneof, enum value and service method of the subset
must exist upstream with the same name, number, type, label and type name,
in the same file and package; every enum of the subset must have all of
upstream's values. Exits non-zero, listing each difference, otherwise.
"""

import importlib
import sys

from google.protobuf import descriptor_pb2

WELL_KNOWN = "google/protobuf/"


def upstream_file(name):
    module = importlib.import_module(name[: -len(".proto")].replace("/", ".") + "_pb2")
    proto = descriptor_pb2.FileDescriptorProto()
    module.DESCRIPTOR.CopyToProto(proto)
    for message in proto.message_type:
        fill_json_names(message, module.DESCRIPTOR.message_types_by_name[message.name])
    return proto


def fill_json_names(proto, descriptor):
    # The serialized upstream descriptors leave json_name out; the runtime's
    # descriptors carry it (the JSON form Envoy prints and accepts).
    for field in proto.field:
        field.json_name = descriptor.fields_by_name[field.name].json_name
    for nested in proto.nested_type:
        fill_json_names(nested, descriptor.nested_types_by_name[nested.name])


def by_name(items):
    return {item.name: item for item in items}


def oneof_name(message, field):
    if not field.HasField("oneof_index") or field.proto3_optional:
        return None
    return message.oneof_decl[field.oneof_index].name


def check_enum(where, ours, theirs, errors):
    if theirs is None:
        errors.append(f"{where}: no such enum upstream")
        return
    ours_values = {v.name: v.number for v in ours.value}
    theirs_values = {v.name: v.number for v in theirs.value}
    if ours_values != theirs_values:
        errors.append(f"{where}: values {sorted(ours_values.items(), key=lambda v: v[1])} "
                      f"!= upstream {sorted(theirs_values.items(), key=lambda v: v[1])}")


def check_message(where, ours, theirs, errors):
    if theirs is None:
        errors.append(f"{where}: no such message upstream")
        return
    if ours.options.map_entry != theirs.options.map_entry:
        errors.append(f"{where}: map entry {ours.options.map_entry} != upstream {theirs.options.map_entry}")
    upstream_fields = by_name(theirs.field)
    for field in ours.field:
        at = f"{where}.{field.name}"
        other = upstream_fields.get(field.name)
        if other is None:
            errors.append(f"{at}: no such field upstream")
            continue
        for attribute in ("number", "type", "label", "type_name", "json_name", "proto3_optional"):
            mine, upstream = getattr(field, attribute), getattr(other, attribute)
            if mine != upstream:
                errors.append(f"{at}: {attribute} {mine!r} != upstream {upstream!r}")
        if oneof_name(ours, field) != oneof_name(theirs, other):
            errors.append(f"{at}: oneof {oneof_name(ours, field)!r} != upstream {oneof_name(theirs, other)!r}")
    upstream_enums = by_name(theirs.enum_type)
    for enum in ours.enum_type:
        check_enum(f"{where}.{enum.name}", enum, upstream_enums.get(enum.name), errors)
    upstream_nested = by_name(theirs.nested_type)
    for nested in ours.nested_type:
        check_message(f"{where}.{nested.name}", nested, upstream_nested.get(nested.name), errors)


def check_service(where, ours, theirs, errors):
    if theirs is None:
        errors.append(f"{where}: no such service upstream")
        return
    upstream_methods = by_name(theirs.method)
    for method in ours.method:
        at = f"{where}.{method.name}"
        other = upstream_methods.get(method.name)
        if other is None:
            errors.append(f"{at}: no such method upstream")
            continue
        for attribute in ("input_type", "output_type", "client_streaming", "server_streaming"):
            mine, upstream = getattr(method, attribute), getattr(other, attribute)
            if mine != upstream:
                errors.append(f"{at}: {attribute} {mine!r} != upstream {upstream!r}")


def main(path):
    subset = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        subset.ParseFromString(f.read())
    errors = []
    checked = 0
    for ours in subset.file:
        if ours.name.startswith(WELL_KNOWN):
            continue
        try:
            theirs = upstream_file(ours.name)
        except ImportError as error:
            errors.append(f"{ours.name}: no such file upstream ({error})")
            continue
        if (ours.package, ours.syntax) != (theirs.package, theirs.syntax):
            errors.append(f"{ours.name}: package/syntax {(ours.package, ours.syntax)} "
                          f"!= upstream {(theirs.package, theirs.syntax)}")
        messages, enums, services = by_name(theirs.message_type), by_name(theirs.enum_type), by_name(theirs.service)
        for message in ours.message_type:
            check_message(f"{ours.package}.{message.name}", message, messages.get(message.name), errors)
        for enum in ours.enum_type:
            check_enum(f"{ours.package}.{enum.name}", enum, enums.get(enum.name), errors)
        for service in ours.service:
            check_service(f"{ours.package}.{service.name}", service, services.get(service.name), errors)
        checked += 1
    for error in errors:
        print("MISMATCH", error, file=sys.stderr)
    if errors:
        sys.exit(f"{len(errors)} difference(s) between the subset and Envoy's API")
    print(f"subset matches Envoy's API: {checked} files checked")


if __name__ == "__main__":
    main(sys.argv[1])
