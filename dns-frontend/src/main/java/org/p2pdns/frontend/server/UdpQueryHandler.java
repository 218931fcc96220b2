package org.p2pdns.frontend.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.p2pdns.frontend.resolve.DnsResponder;
import org.p2pdns.frontend.resolve.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a DNS query over UDP enters: one datagram, one query. Answers ready at once (the cache)
 * are written and flushed together when the read batch ends; the others when they are ready.
 */
@ChannelHandler.Sharable
final class UdpQueryHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final Logger log = LoggerFactory.getLogger(UdpQueryHandler.class);

  private final DnsResponder responder;

  UdpQueryHandler(DnsResponder responder) {
    this.responder = responder;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    ByteBuf content = packet.content();
    byte[] query = new byte[content.readableBytes()];
    content.getBytes(content.readerIndex(), query);
    InetSocketAddress sender = packet.sender();
    CompletableFuture<byte[]> answer =
        responder.respond(query, Transport.UDP, ctx.channel().eventLoop());
    if (answer.isDone()) {
      byte[] bytes = answer.getNow(null);
      if (bytes != null) {
        ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(bytes), sender));
      }
      return;
    }
    answer.whenComplete((bytes, e) -> {
      if (e != null) {
        log.error("answering a UDP query failed", e);
      } else if (bytes != null) {
        ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), sender))
            .addListener(f -> {
              if (!f.isSuccess()) {
                log.debug("UDP answer to {} not sent: {}", sender, String.valueOf(f.cause()));
              }
            });
      }
    });
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A UDP socket keeps serving whatever one datagram did; ICMP errors show up as IOExceptions.
    if (cause instanceof java.io.IOException) {
      log.debug("UDP socket error: {}", cause.toString());
    } else {
      log.error("UDP query handling failed", cause);
    }
  }
}
