// Command app-certificate-detach is the Lambda function of the portal route "app-certificate-detach".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("app-certificate-detach") }
