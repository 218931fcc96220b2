package org.p2pdns.frontend.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.frontend.resolve.DnsResponder;
import org.p2pdns.frontend.resolve.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a DNS query over TCP enters, after the 2-byte length framing: several queries per
 * connection, answered in the order they are ready (RFC 7766 allows any order).
 */
final class TcpQueryHandler extends SimpleChannelInboundHandler<ByteBuf> {
  private static final Logger log = LoggerFactory.getLogger(TcpQueryHandler.class);

  private final DnsResponder responder;

  TcpQueryHandler(DnsResponder responder) {
    this.responder = responder;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
    byte[] query = new byte[frame.readableBytes()];
    frame.getBytes(frame.readerIndex(), query);
    CompletableFuture<byte[]> answer =
        responder.respond(query, Transport.TCP, ctx.channel().eventLoop());
    if (answer.isDone()) {
      byte[] bytes = answer.getNow(null);
      if (bytes != null) {
        ctx.write(Unpooled.wrappedBuffer(bytes));
      }
      return;
    }
    answer.whenComplete((bytes, e) -> {
      if (e != null) {
        log.error("answering a TCP query failed", e);
      } else if (bytes != null && ctx.channel().isActive()) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes));
      }
    });
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A client that sends an oversized frame or resets the connection only loses its connection.
    if (cause instanceof IOException
        || cause instanceof io.netty.handler.codec.TooLongFrameException) {
      log.debug("TCP connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      log.error("TCP query handling failed", cause);
    }
    ctx.close();
  }
}
