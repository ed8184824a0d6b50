// Command app-certificate-attach is the Lambda function of the portal route "app-certificate-attach".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("app-certificate-attach") }
