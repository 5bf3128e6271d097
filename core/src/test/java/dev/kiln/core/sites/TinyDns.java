package dev.kiln.core.sites;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A DNS server on 127.0.0.1 over UDP that answers TXT questions from a map, NXDOMAIN otherwise. */
final class TinyDns implements AutoCloseable {

    private final DatagramSocket socket;
    private final Map<String, String> txt = new ConcurrentHashMap<>();
    private final Thread thread;

    TinyDns() throws SocketException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "tiny-dns");
        thread.setDaemon(true);
        thread.start();
    }

    /** {@code 127.0.0.1:port}, for the {@code dns.server} setting. */
    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    void putTxt(String name, String value) {
        txt.put(name.toLowerCase(Locale.ROOT), value);
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                byte[] answer = answer(packet.getData(), packet.getLength());
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                // closed, or a malformed question: keep serving
            }
        }
    }

    private byte[] answer(byte[] query, int length) {
        StringBuilder name = new StringBuilder();
        int position = 12;
        while (query[position] != 0) {
            int label = query[position] & 0xff;
            if (!name.isEmpty()) {
                name.append('.');
            }
            name.append(new String(query, position + 1, label, StandardCharsets.US_ASCII));
            position += label + 1;
        }
        int questionEnd = position + 5;
        int type = ((query[position + 1] & 0xff) << 8) | (query[position + 2] & 0xff);
        String value = type == 16 ? txt.get(name.toString().toLowerCase(Locale.ROOT)) : null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query[0]);
        out.write(query[1]);
        out.write(0x81);
        out.write(value == null ? 0x83 : 0x80);
        out.writeBytes(new byte[] {0, 1, 0, (byte) (value == null ? 0 : 1), 0, 0, 0, 0});
        out.write(query, 12, questionEnd - 12);
        if (value != null) {
            byte[] text = value.getBytes(StandardCharsets.US_ASCII);
            out.writeBytes(new byte[] {(byte) 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60});
            out.write((text.length + 1) >> 8);
            out.write((text.length + 1) & 0xff);
            out.write(text.length);
            out.writeBytes(text);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        socket.close();
    }
}
