package org.p2pdns.common.query;

import java.util.ArrayList;
import java.util.List;
import org.p2pdns.common.record.RecordCodec;
import org.p2pdns.common.wire.MalformedException;
import org.p2pdns.common.wire.WireReader;
import org.p2pdns.common.wire.WireWriter;

/**
 * The node query protocol's messages, one JeroMQ frame each: {@code u8 version, u8 type,
 * i64 request id, body}. Response types are the request type with the high bit set; 0xFF is an
 * error for any request. Layout of every body: docs/protocol.md.
 */
public final class NodeQueryCodec {
  public static final int VERSION = 1;
  /** The most names one {@link NodeRequest.ListNames} returns. */
  public static final int MAX_LIST = 1000;
  /** The largest frame either side accepts. */
  public static final int MAX_FRAME = 1 << 20;

  static final int INFO = 0x01;
  static final int LOOKUP = 0x02;
  static final int SUBMIT = 0x03;
  static final int LIST = 0x04;
  static final int STATUS = 0x05;
  static final int NODES = 0x06;
  static final int CONNECT = 0x07;
  static final int TRUST = 0x08;
  static final int ENDORSE = 0x09;
  static final int SUBMIT_COMMITMENT = 0x0A;
  static final int RESPONSE = 0x80;
  static final int ERROR = 0xFF;

  private NodeQueryCodec() {}

  private static WireWriter header(int type, long id) {
    return new WireWriter(64).u8(VERSION).u8(type).i64(id);
  }

  public static byte[] encode(NodeRequest req) {
    if (req instanceof NodeRequest.Info m) {
      return header(INFO, m.requestId()).toByteArray();
    } else if (req instanceof NodeRequest.Lookup m) {
      return header(LOOKUP, m.requestId()).string16(m.name()).toByteArray();
    } else if (req instanceof NodeRequest.Submit m) {
      return header(SUBMIT, m.requestId()).bytes32(m.record()).toByteArray();
    } else if (req instanceof NodeRequest.SubmitCommitment m) {
      return header(SUBMIT_COMMITMENT, m.requestId()).bytes16(m.commitment()).toByteArray();
    } else if (req instanceof NodeRequest.ListNames m) {
      return header(LIST, m.requestId()).string16(m.after()).u16(m.limit()).toByteArray();
    } else if (req instanceof NodeRequest.Status m) {
      return header(STATUS, m.requestId()).toByteArray();
    } else if (req instanceof NodeRequest.Nodes m) {
      return header(NODES, m.requestId()).toByteArray();
    } else if (req instanceof NodeRequest.Connect m) {
      return header(CONNECT, m.requestId()).string16(m.target()).i64(m.issuedAt()).bytes(m.mac())
          .toByteArray();
    } else if (req instanceof NodeRequest.Trust m) {
      return header(TRUST, m.requestId()).u8(m.op()).string16(m.nodeId()).i64(m.weightMilli())
          .i64(m.issuedAt()).bytes(m.mac()).toByteArray();
    } else if (req instanceof NodeRequest.Endorse m) {
      return header(ENDORSE, m.requestId()).u8(m.op()).string16(m.nodeId()).i64(m.issuedAt())
          .bytes(m.mac()).toByteArray();
    }
    throw new IllegalArgumentException("unknown request " + req);
  }

  public static byte[] encode(NodeResponse resp) {
    if (resp instanceof NodeResponse.Info m) {
      return header(RESPONSE | INFO, m.requestId()).bytes16(m.networkParams()).string16(m.nodeId())
          .i64(m.bootId()).string16(m.feedEndpoint()).string16(m.version()).toByteArray();
    } else if (resp instanceof NodeResponse.Lookup m) {
      return header(RESPONSE | LOOKUP, m.requestId()).u8(m.status().code()).bytes32(m.record())
          .string16(m.detail()).toByteArray();
    } else if (resp instanceof NodeResponse.Submit m) {
      return header(RESPONSE | SUBMIT, m.requestId()).u8(m.status().code()).u16(m.reasonCode())
          .string16(m.message()).toByteArray();
    } else if (resp instanceof NodeResponse.CommitmentSubmitted m) {
      return header(RESPONSE | SUBMIT_COMMITMENT, m.requestId()).u8(m.status().code())
          .u16(m.reasonCode()).string16(m.message()).toByteArray();
    } else if (resp instanceof NodeResponse.Names m) {
      WireWriter w = header(RESPONSE | LIST, m.requestId()).u16(m.names().size());
      for (String n : m.names()) {
        w.string16(n);
      }
      return w.bool(m.more()).toByteArray();
    } else if (resp instanceof NodeResponse.Status m) {
      WireWriter w = header(RESPONSE | STATUS, m.requestId()).u16(m.fields().size());
      for (NodeResponse.Field f : m.fields()) {
        w.string16(f.key()).string16(f.value());
      }
      return w.toByteArray();
    } else if (resp instanceof NodeResponse.Nodes m) {
      WireWriter w = header(RESPONSE | NODES, m.requestId()).u16(m.nodes().size());
      for (NodeResponse.NodeEntry n : m.nodes()) {
        w.string16(n.nodeId()).string16(n.address()).string16(n.state()).i64(n.lastContact())
            .i64(n.score()).i64(n.trustMilli()).i64(n.bannedUntil());
      }
      return w.toByteArray();
    } else if (resp instanceof NodeResponse.Connect m) {
      return header(RESPONSE | CONNECT, m.requestId()).bool(m.connected()).string16(m.nodeId())
          .string16(m.message()).toByteArray();
    } else if (resp instanceof NodeResponse.Trust m) {
      WireWriter w = header(RESPONSE | TRUST, m.requestId()).string16(m.message())
          .u16(m.entries().size());
      for (NodeResponse.TrustEntry e : m.entries()) {
        w.string16(e.nodeId()).i64(e.operatorMilli()).i64(e.configMilli()).i64(e.weightMilli())
            .string16(e.via());
      }
      return w.toByteArray();
    } else if (resp instanceof NodeResponse.Endorse m) {
      WireWriter w = header(RESPONSE | ENDORSE, m.requestId()).string16(m.message())
          .u16(m.endorsed().size());
      for (String id : m.endorsed()) {
        w.string16(id);
      }
      return w.toByteArray();
    } else if (resp instanceof NodeResponse.Error m) {
      return header(ERROR, m.requestId()).u8(m.code().code()).string16(m.message()).toByteArray();
    }
    throw new IllegalArgumentException("unknown response " + resp);
  }

  /**
   * Reads the request id of a frame that may be garbage, so that a server can still address an
   * error to it. -1 when not even that can be read.
   */
  public static long peekRequestId(byte[] frame) {
    if (frame.length < 10) {
      return -1;
    }
    try {
      WireReader r = new WireReader(frame);
      r.u8("version");
      r.u8("type");
      return r.i64("id");
    } catch (MalformedException e) {
      return -1;
    }
  }

  public static NodeRequest decodeRequest(byte[] frame) throws MalformedException {
    if (frame.length > MAX_FRAME) {
      throw new MalformedException("frame of " + frame.length + " bytes exceeds " + MAX_FRAME);
    }
    WireReader r = new WireReader(frame);
    int v = r.u8("version");
    if (v != VERSION) {
      throw new MalformedException("unknown protocol version " + v);
    }
    int type = r.u8("type");
    long id = r.i64("request id");
    NodeRequest req = switch (type) {
      case INFO -> new NodeRequest.Info(id);
      case LOOKUP -> new NodeRequest.Lookup(id, r.string16("name"));
      case SUBMIT -> new NodeRequest.Submit(id, r.bytes32(RecordCodec.ABSOLUTE_MAX_BYTES, "record"));
      case SUBMIT_COMMITMENT -> {
        byte[] c = r.bytes16("commitment");
        if (c.length > 256) {
          throw new MalformedException("commitment of " + c.length + " bytes");
        }
        yield new NodeRequest.SubmitCommitment(id, c);
      }
      case LIST -> {
        String after = r.string16("after");
        int limit = r.u16("limit");
        if (limit < 1 || limit > MAX_LIST) {
          throw new MalformedException("list limit " + limit + " outside 1.." + MAX_LIST);
        }
        yield new NodeRequest.ListNames(id, after, limit);
      }
      case STATUS -> new NodeRequest.Status(id);
      case NODES -> new NodeRequest.Nodes(id);
      case CONNECT -> new NodeRequest.Connect(id, r.string16("target"), r.i64("issued at"),
          r.bytes(ControlKey.MAC_BYTES, "mac"));
      case TRUST -> {
        int op = r.u8("op");
        String node = r.string16("node id");
        long weight = r.i64("weight");
        long at = r.i64("issued at");
        byte[] mac = r.bytes(ControlKey.MAC_BYTES, "mac");
        try {
          yield new NodeRequest.Trust(id, op, node, weight, at, mac);
        } catch (IllegalArgumentException e) {
          throw new MalformedException("trust: " + e.getMessage(), e);
        }
      }
      case ENDORSE -> {
        int op = r.u8("op");
        String node = r.string16("node id");
        long at = r.i64("issued at");
        byte[] mac = r.bytes(ControlKey.MAC_BYTES, "mac");
        try {
          yield new NodeRequest.Endorse(id, op, node, at, mac);
        } catch (IllegalArgumentException e) {
          throw new MalformedException("endorse: " + e.getMessage(), e);
        }
      }
      default -> throw new MalformedException("unknown request type " + type);
    };
    r.expectEnd("request");
    return req;
  }

  public static NodeResponse decodeResponse(byte[] frame) throws MalformedException {
    if (frame.length > MAX_FRAME) {
      throw new MalformedException("frame of " + frame.length + " bytes exceeds " + MAX_FRAME);
    }
    WireReader r = new WireReader(frame);
    int v = r.u8("version");
    if (v != VERSION) {
      throw new MalformedException("unknown protocol version " + v);
    }
    int type = r.u8("type");
    long id = r.i64("request id");
    NodeResponse resp = switch (type) {
      case RESPONSE | INFO -> new NodeResponse.Info(id, r.bytes16("network params"),
          r.string16("node id"), r.i64("boot id"), r.string16("feed"), r.string16("version"));
      case RESPONSE | LOOKUP -> {
        int s = r.u8("status");
        NodeResponse.LookupStatus status = NodeResponse.LookupStatus.fromCode(s)
            .orElseThrow(() -> new MalformedException("unknown lookup status " + s));
        yield new NodeResponse.Lookup(id, status,
            r.bytes32(RecordCodec.ABSOLUTE_MAX_BYTES, "record"), r.string16("detail"));
      }
      case RESPONSE | SUBMIT -> {
        int s = r.u8("status");
        NodeResponse.SubmitStatus status = NodeResponse.SubmitStatus.fromCode(s)
            .orElseThrow(() -> new MalformedException("unknown submit status " + s));
        yield new NodeResponse.Submit(id, status, r.u16("reason"), r.string16("message"));
      }
      case RESPONSE | SUBMIT_COMMITMENT -> {
        int s = r.u8("status");
        NodeResponse.SubmitStatus status = NodeResponse.SubmitStatus.fromCode(s)
            .orElseThrow(() -> new MalformedException("unknown submit status " + s));
        yield new NodeResponse.CommitmentSubmitted(id, status, r.u16("reason"),
            r.string16("message"));
      }
      case RESPONSE | LIST -> {
        int n = r.u16("count");
        if (n > MAX_LIST) {
          throw new MalformedException(n + " names exceed " + MAX_LIST);
        }
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          names.add(r.string16("name"));
        }
        yield new NodeResponse.Names(id, names, r.bool("more"));
      }
      case RESPONSE | STATUS -> {
        int n = r.u16("count");
        List<NodeResponse.Field> fields = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          fields.add(new NodeResponse.Field(r.string16("key"), r.string16("value")));
        }
        yield new NodeResponse.Status(id, fields);
      }
      case RESPONSE | NODES -> {
        int n = r.u16("count");
        List<NodeResponse.NodeEntry> nodes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          String nid = r.string16("node id");
          String addr = r.string16("address");
          String state = r.string16("state");
          long last = r.i64("last contact");
          long score = r.i64("score");
          if (score != (int) score) {
            throw new MalformedException("node score " + score + " is outside the int range");
          }
          long trust = r.i64("trust");
          long bannedUntil = r.i64("banned until");
          nodes.add(new NodeResponse.NodeEntry(nid, addr, state, last, (int) score, trust,
              bannedUntil));
        }
        yield new NodeResponse.Nodes(id, nodes);
      }
      case RESPONSE | CONNECT -> new NodeResponse.Connect(id, r.bool("connected"),
          r.string16("node id"), r.string16("message"));
      case RESPONSE | TRUST -> {
        String message = r.string16("message");
        int n = r.u16("count");
        List<NodeResponse.TrustEntry> entries = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
          entries.add(new NodeResponse.TrustEntry(r.string16("node id"), r.i64("operator weight"),
              r.i64("config weight"), r.i64("weight"), r.string16("via")));
        }
        yield new NodeResponse.Trust(id, message, entries);
      }
      case RESPONSE | ENDORSE -> {
        String message = r.string16("message");
        int n = r.u16("count");
        List<String> ids = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
          ids.add(r.string16("node id"));
        }
        yield new NodeResponse.Endorse(id, message, ids);
      }
      case ERROR -> {
        int c = r.u8("error code");
        NodeResponse.ErrorCode code = NodeResponse.ErrorCode.fromCode(c)
            .orElseThrow(() -> new MalformedException("unknown error code " + c));
        yield new NodeResponse.Error(id, code, r.string16("message"));
      }
      default -> throw new MalformedException("unknown response type " + type);
    };
    r.expectEnd("response");
    return resp;
  }
}
